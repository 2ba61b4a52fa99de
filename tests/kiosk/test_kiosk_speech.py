"""The kiosk speaks: every prompt is a real recording, numbers and durations are assembled from
parts, every screen and result has its words, and names are never among them."""

from __future__ import annotations

import re
import time
import types
import wave
from pathlib import Path

import numpy as np
import pytest

from kiosk import messages, speech
from kiosk.flows import _SAY

STATIC = Path(speech.__file__).resolve().parent / "static"
TEMPLATE = Path(speech.__file__).resolve().parent / "templates" / "kiosk.html"


def _read(path: Path) -> tuple[float, float]:
    with wave.open(str(path)) as clip:
        assert clip.getnchannels() == 1 and clip.getsampwidth() == 2
        samples = np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2")
        return clip.getnframes() / clip.getframerate(), float(np.sqrt(np.mean(
            samples.astype(np.float64) ** 2)))


@pytest.mark.parametrize("key", sorted({**speech.PROMPTS, **speech.PARTS}))
def test_every_prompt_is_a_spoken_recording(key):
    duration, rms = _read(speech.SOUNDS / f"{key}.wav")
    assert duration > 0.3, (key, duration)
    assert rms > 1000, (key, rms)  # speech, not silence (full scale is 32767)


def test_the_folder_holds_the_table_and_nothing_else():
    on_disk = {p.stem for p in speech.SOUNDS.glob("*.wav")}
    assert on_disk == set(speech.PROMPTS) | set(speech.PARTS)
    assert not set(speech.PROMPTS) & set(speech.PARTS)


@pytest.mark.parametrize("n, said", [
    (0, "零"), (7, "七"), (10, "十"), (15, "十五"), (20, "二十"), (105, "一百零五"),
    (110, "一百一十"), (1005, "一千零五"), (1050, "一千零五十"), (1200, "一千二百"),
    (10000, "一万"), (10005, "一万零五"), (120000, "十二万"), (23456, "二万三千四百五十六"),
])
def test_numbers_are_said_as_people_say_them(n, said):
    assert "".join(speech.PARTS[p] for p in speech.number_parts(n)) == said


@pytest.mark.parametrize("minutes, said", [
    (80, "一小时二十分钟"), (120, "两小时"), (45, "四十五分钟"), (0, "不到一分钟"),
    (605, "十小时五分钟"),
])
def test_durations_are_said_in_hours_and_minutes(minutes, said):
    assert "".join(speech.PARTS[p] for p in speech.duration_parts(minutes)) == said


@pytest.mark.parametrize("clock, said", [("09:05", "九点零五分"), ("14:00", "十四点"),
                                         ("02:30", "两点三十分")])
def test_clock_times_are_assembled(clock, said):
    assert "".join(speech.PARTS[p] for p in speech.clock_parts(clock)) == said


def test_every_question_on_the_touchscreen_has_its_prompt():
    from kiosk.flows import FLOW, IDLE

    page = TEMPLATE.read_text(encoding="utf-8")
    for step in set(FLOW) - {IDLE}:  # the touchscreen's steps: the flow table's
        say = re.search(rf'id="{step}" data-say="([^"]+)"', page)
        assert say, f"{step} says nothing"
        assert all(speech.has_prompt(k) for k in say.group(1).split()), step


def test_every_result_the_scripts_show_has_its_prompt():
    """Keys the page's scripts say: lists passed to speak/say/showResult, inform("…")."""
    scripts = "".join((STATIC / name).read_text(encoding="utf-8")
                      for name in ("kiosk.js", "flows.js"))
    said = set(re.findall(r'inform\("([a-z_]+)"\)', scripts))
    for group in re.findall(r'(?:speak|say)\(\[([^\]]*)\]|undefined, (?:offline \? )?\[([^\]]*)\]'
                            r'(?: : \[([^\]]*)\])?', scripts):
        for text in group:
            said |= set(re.findall(r'"([a-z_]+)"', text))
    assert {"order_waiting", "order_rated", "rated_ok", "scan_enrollment", "revoked",
            "choose_action", "redeem_confirm"} <= said
    assert [k for k in said if not speech.has_prompt(k)] == []
    # Every kiosk action's states, and every refusal reason a screen can show.
    assert all(speech.has_prompt(k) for states in _SAY.values() for k in states)
    reasons = ("garbage", "foreign", "tampered", "unknown_key", "retired_key", "wrong_type",
               "unsupported_version", "expired", "not_yet_valid", "revoked",
               "volunteer_inactive", "code_expired")
    for reason in reasons:
        key = messages.reason_key(reason)
        assert speech.reason_parts(key) == [key], reason


def test_a_result_says_its_words_and_no_name(kiosk, make_volunteers):  # noqa: F811
    (number, name, url), = make_volunteers(1)
    kiosk.sync.refresh()
    kiosk.sign(url)
    assert kiosk.screen.result.say == ["signed_in"]
    assert kiosk.screen.result.name == name  # shown on screen, never in what is said
    kiosk.sign("https://elsewhere.example/S/nothing")
    assert kiosk.screen.result.say == ["refused", "foreign"]


def test_the_sign_out_says_how_long_the_service_was(kiosk, make_volunteers,  # noqa: F811
                                                     monkeypatch):
    import kiosk.core as core

    (_, _, url), = make_volunteers(1)
    kiosk.sync.once()
    kiosk.sign(url)
    later = time.time() + 80 * 60 + 20
    monkeypatch.setattr(core, "time", types.SimpleNamespace(time=lambda: later,
                                                            monotonic=time.monotonic))
    kiosk.debounce_seconds = 0
    kiosk.sign(url)
    result = kiosk.screen.result
    assert result.title == "签退成功"
    assert "本次服务 1小时20分钟" in result.detail
    assert result.say == ["signed_out", "service_took", "n1", "xiaoshi", "n2", "n10", "fenzhong"]


def test_offline_a_sign_says_it_may_still_be_refused(kiosk, make_volunteers,  # noqa: F811
                                                      live_backend):
    (_, _, url), = make_volunteers(1)
    kiosk.sync.once()
    live_backend.stop()
    kiosk.screen.set(online=False)
    kiosk.sign(url)
    result = kiosk.screen.result
    assert result.ok and "可能还会被拒绝" in result.detail
    assert result.say == ["signed_in", "accepted_offline"]
    live_backend.start()


def test_volume_and_mute_are_kept_per_kiosk(kiosk):  # noqa: F811
    assert kiosk.status()["sound"] == {"volume": 80, "muted": False}
    kiosk.set_sound(volume=35, muted=True)
    assert kiosk.status()["sound"] == {"volume": 35, "muted": True}
    with pytest.raises(ValueError):
        kiosk.set_sound(volume=101)
    assert kiosk.sound() == {"volume": 35, "muted": True}


def test_the_keyboards_pinyin_table_covers_the_common_characters():
    import json

    table = json.loads((STATIC / "pinyin.json").read_text(encoding="utf-8"))
    assert all(k.isascii() and k.isalpha() and k.islower() for k in table)
    chars = set("".join(table.values()))
    assert len(chars) == 3755  # GB 2312 level 1
    for syllable, char in (("xie", "谢"), ("lv", "绿"), ("hang", "行"), ("xing", "行"),
                           ("ni", "你"), ("hao", "好")):
        assert char in table[syllable][:12], (syllable, table[syllable][:12])
