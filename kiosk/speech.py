"""What the kiosk says aloud: fixed Mandarin prompts pre-rendered into WAV files, and numbers,
times and durations assembled from spoken parts. A name is never spoken in public."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PARTS", "PROMPTS", "SOUNDS", "clock_parts", "digit_parts", "duration_parts",
           "has_prompt",
           "number_parts", "reason_parts"]

# The committed recordings (scripts/prompts.py makes them from the table below).
SOUNDS = Path(__file__).resolve().parents[1] / "assets" / "kiosk" / "sounds"

# Whole sentences, by the kiosk's message key where there is one (kiosk/messages.py): what a
# result or a question says, in the words the screen shows (without names or numbers).
PROMPTS = {
    # sign-in and sign-out results
    "signed_in": "签到成功",
    "signed_out": "签退成功",
    "refused": "无法使用",
    "service_took": "本次服务",
    "accepted_offline": "本机未联网，已先记下，服务器可能还会拒绝。",
    # why a code is refused (messages.reason_text keys)
    "garbage": "这不是可识别的服务码",
    "foreign": "这个码不属于本平台",
    "tampered": "这个码未通过验证，可能是伪造或被改动过",
    "unknown_key": "这个码无法验证，可能是伪造的",
    "retired_key": "这个码已经作废，请使用新的志愿者码",
    "wrong_type": "这个码不能在这里使用，请出示志愿者码",
    "unsupported_version": "这个码来自更新版本的平台，本机暂不能识别",
    "expired": "这个码已过期",
    "not_yet_valid": "这个码尚未生效",
    "revoked_code": "这个码已被撤销，请使用新的志愿者码",
    "volunteer_inactive": "这位志愿者的账号已停用，请联系管理员",
    "unknown": "操作没有成功，请联系管理员",
    # screens without a flow
    "scan_enrollment": "请扫描登记码",
    "revoked": "本机已停用，不能签到签退，请联系管理员。",
    # 点单
    "pick_service": "请选择服务项目",
    "enter_phone": "请输入您的手机号码",
    "place_title": "在哪里服务？可以不选。",
    "confirm_order_title": "请核对您的点单",
    "sending": "正在提交，请稍候",
    "order_ok": "点单成功",
    "order_number": "订单号",
    "receipt_hint": "请用手机拍下这个码。服务完成时出示此码确认和评价。",
    "order_queued": "网络暂时不通，您的点单已保存在本机，联网后自动提交。",
    "order_refused": "点单没有成功",
    # an order code
    "looking_up": "正在查询订单",
    "choose_action": "请选择要办理的事",
    "complete_question": "请志愿者确认，这次服务已经完成了吗？",
    "completed_ok": "已确认服务完成",
    "rate_now": "现在请居民评价这次服务吗？",
    "rate_title": "请为这次服务打分",
    "rated_ok": "感谢您的评价",
    "saved_offline": "网络恢复后自动上传",
    "order_waiting": "这个订单还在等志愿者接单，服务完成后才能确认和评价。",
    "order_rated": "这个订单已经评价过了，谢谢！",
    "order_cancelled": "这个订单已经取消",
    "order_code_refused": "这个订单码不能使用",
    # 积分兑换
    "redeem_show_code": "请把志愿者码对准摄像头",
    "redeem_pick": "请选择要兑换的物品",
    "redeem_confirm": "请确认兑换，使用",
    "redeem_wait": "正在确认积分，请稍候。",
    "redeem_queued": "网络未连接，兑换已排队，联网后确认。",
    "redeem_ok": "兑换成功，请领取物品",
    "balance_after": "剩余积分",
    "redeem_refused": "兑换没有成功",
    "insufficient_points": "积分不够",
    "out_of_stock": "这个物品已经兑完了",
}

# Parts that numbers, clock times and durations are assembled from.
PARTS = {
    "n0": "零", "n1": "一", "n2": "二", "n3": "三", "n4": "四", "n5": "五", "n6": "六",
    "n7": "七", "n8": "八", "n9": "九", "n10": "十", "n100": "百", "n1000": "千",
    "n10000": "万", "liang": "两", "dian": "点", "fen": "分", "xiaoshi": "小时",
    "fenzhong": "分钟", "jifen": "积分", "under_minute": "不到一分钟",
}


def has_prompt(key: str) -> bool:
    return key in PROMPTS or key in PARTS


def _below_10000(n: int, leading: bool) -> list[str]:
    out: list[str] = []
    gap = False  # a zero digit inside the number is said once: 一千零五
    for value, part in ((1000, "n1000"), (100, "n100"), (10, "n10"), (1, None)):
        digit = n // value % 10
        if digit == 0:
            gap = gap or bool(out)
            continue
        if gap:
            out.append("n0")
            gap = False
        if not (value == 10 and digit == 1 and leading and not out):  # 十五, not 一十五
            out.append(f"n{digit}")
        if part:
            out.append(part)
    return out


def number_parts(n: int) -> list[str]:
    """A whole number as spoken parts: 1205 → 一 千 二 百 零 五."""
    n = int(n)
    if n < 0:
        raise ValueError("only numbers from 0 up are spoken")
    if n == 0:
        return ["n0"]
    high, low = divmod(n, 10000)
    if not high:
        return _below_10000(low, True)
    out = number_parts(high) + ["n10000"]
    if low:
        if low < 1000:
            out.append("n0")
        out += _below_10000(low, False)
    return out


def _count(n: int) -> list[str]:
    """A count before a measure word: 两小时, 两点, not 二小时."""
    return ["liang"] if n == 2 else number_parts(n)


def duration_parts(minutes: int) -> list[str]:
    """80 minutes → 一 小时 二十 分钟."""
    minutes = max(int(minutes), 0)
    if minutes == 0:
        return ["under_minute"]
    hours, rest = divmod(minutes, 60)
    out = _count(hours) + ["xiaoshi"] if hours else []
    if rest:
        out += number_parts(rest) + ["fenzhong"]
    return out


def clock_parts(text: str) -> list[str]:
    """A clock time "09:05" → 九 点 零 五 分; "14:00" → 十四 点."""
    hour, minute = (int(x) for x in text.split(":")[:2])
    out = _count(hour) + ["dian"]
    if minute:
        out += (["n0"] if minute < 10 else []) + number_parts(minute) + ["fen"]
    return out


def digit_parts(text: str) -> list[str]:
    """An order number read digit by digit, as people read one out: 2 6 1 2 …"""
    return [f"n{d}" for d in text if d.isdigit()]


def reason_parts(key: str) -> list[str]:
    """A refusal's reason as the sentence to say, or the general one."""
    return [key] if key in PROMPTS else ["unknown"]
