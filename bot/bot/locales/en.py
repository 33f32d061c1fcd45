"""English bot texts."""

TEXTS = {
    "welcome": "👋 Hi, {name}!\n\nThis is a VPN shop: pick a location and a plan, pay, and your key arrives here.",
    "welcome_back": "👋 Welcome back, {name}!",
    "blocked": "⛔️ Your account is blocked. If this is a mistake, contact support.",
    "backend_down": "⏳ The service is temporarily unavailable. Try again in a minute.",
    "error": "😕 Something went wrong. Please try again.",
    "menu_tariffs": "🎯 Plans",
    "menu_subscriptions": "📊 My subscriptions",
    "menu_balance": "💰 Balance",
    "menu_trial": "📱 Free trial",
    "menu_referral": "🔗 Invite a friend",
    "menu_support": "📞 Support",
}
