"""What the kiosk screen says, in plain words: Simplified Chinese first, English on request."""

from __future__ import annotations

ZH = {
    "signed_in": "签到成功",
    "signed_out": "签退成功",
    "show_code": "请出示志愿者码",
    "scan_enrollment": "请扫描登记码",
    "enroll_hint": "请管理员在后台打开本机的登记码，对准摄像头",
    "enrolling": "正在登记，请稍候……",
    "enroll_failed": "登记没有成功：%s",
    "revoked": "本机已停用",
    "revoked_hint": "本机已被管理员停用，不能签到签退。请联系管理员。",
    "no_camera": "摄像头未连接，正在重试",
    "offline": "网络未连接，签到照常进行，待上传 %d 条",
    "pending": "待上传 %d 条",
    "needs_admin": "%d 条记录未被服务器接受，请管理员处理",
    "phone_hint": "也可以用手机扫描此码签到",
    "volunteer": "志愿者",
    "server_says_in": "服务器记录为签到",
    "server_says_out": "服务器记录为签退",
    "refused": "无法使用",
    # Reasons a code is refused (qr.CodeError reasons and the server's error codes).
    "garbage": "这不是可识别的服务码",
    "foreign": "这个码不属于本平台",
    "tampered": "这个码未通过验证，可能是伪造或被改动过",
    "unknown_key": "这个码无法验证，可能是伪造的；如是新码请稍后再试",
    "retired_key": "这个码已经作废，请使用新的志愿者码",
    "wrong_type": "这个码不能在这里使用，请出示志愿者码",
    "unsupported_version": "这个码来自更新版本的平台，本机暂不能识别",
    "expired": "这个码已过期",
    "not_yet_valid": "这个码尚未生效，请检查时间",
    "revoked_code": "这个码已被撤销，请使用新的志愿者码",
    "device_revoked": "本机已停用",
    "volunteer_inactive": "这位志愿者的账号已停用，请联系管理员",
    "unknown": "操作没有成功，请联系管理员",
}

EN = {
    "signed_in": "Signed in",
    "signed_out": "Signed out",
    "show_code": "Please show your volunteer code",
    "scan_enrollment": "Scan the enrollment code",
    "enroll_hint": "Ask an administrator to open this kiosk's enrollment code in the dashboard",
    "enrolling": "Enrolling, please wait…",
    "enroll_failed": "Enrollment failed: %s",
    "revoked": "This kiosk is disabled",
    "revoked_hint": "An administrator disabled this kiosk. Please contact the administrator.",
    "no_camera": "Camera not connected, retrying",
    "offline": "Offline: sign-ins still work, %d waiting to upload",
    "pending": "%d waiting to upload",
    "needs_admin": "%d records were not accepted by the server; an administrator must check",
    "phone_hint": "Or scan this code with your phone",
    "volunteer": "Volunteer",
    "server_says_in": "The server recorded a sign-in",
    "server_says_out": "The server recorded a sign-out",
    "refused": "Not accepted",
    "garbage": "This is not a readable service code",
    "foreign": "This code does not belong to this platform",
    "tampered": "This code failed verification; it may be forged or altered",
    "unknown_key": "This code cannot be verified; it may be forged",
    "retired_key": "This code is withdrawn; please use your new volunteer code",
    "wrong_type": "This code cannot be used here; please show your volunteer code",
    "unsupported_version": "This code comes from a newer platform version",
    "expired": "This code has expired",
    "not_yet_valid": "This code is not valid yet; check the clock",
    "revoked_code": "This code has been revoked; please use your new volunteer code",
    "device_revoked": "This kiosk is disabled",
    "volunteer_inactive": "This volunteer's account is disabled; please contact the administrator",
    "unknown": "That did not work; please contact the administrator",
}


def table(lang: str) -> dict[str, str]:
    return EN if lang.startswith("en") else ZH


def reason_text(reason: str, lang: str = "zh") -> str:
    """The message for a refusal reason; qr's "revoked" is the code's, not the kiosk's."""
    words = table(lang)
    key = "revoked_code" if reason in ("revoked", "code_revoked") else reason
    key = key.removeprefix("code_")
    return words.get(key, words["unknown"])
