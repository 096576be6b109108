"""Names shown for stored codes, shared by every view (translated where shown)."""

CHANNEL_NAMES = {
    "email": "Email",
    "sms": "SMS",
    "phone": "Phone",
    "post": "Post",
    "social": "Social",
}
