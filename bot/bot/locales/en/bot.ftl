## Start and errors

welcome =
    👋 Hi, { $name }!

    This is a VPN shop: pick a location and a plan, pay, and your key arrives here.
welcome-back = 👋 Welcome back, { $name }!
blocked = ⛔️ Your account is blocked. If this is a mistake, contact support.
backend-down = ⏳ The service is temporarily unavailable. Try again in a minute.
error = 😕 Something went wrong. Please try again.
too-many = 🐢 Not so fast — wait a couple of seconds.
stale-button = ⌛️ That button is out of date — here is the current menu.
unknown-text = 🤔 I did not get that. Pick a menu item below 👇

## Main menu (the keyboard under the input field) and common buttons

menu-home = 🏠 Home
menu-tariffs = 🎯 Plans
menu-referral = 🔗 Invite a friend
menu-language = 🌐 Language
btn-back = ⬅️ Back
btn-menu = 🏠 Menu
btn-tariffs = 🎯 Choose a plan
btn-referral = 🔗 Invite a friend
btn-language = 🌐 Язык / Language
input-placeholder = Pick a menu item

## Commands

cmd-start = Main menu
cmd-tariffs = Plans and prices
cmd-language = Change language

## Home

home =
    🏠 <b>Home</b>

    💰 Balance: <b>{ $balance }</b>

    📊 <b>Subscriptions</b>
    { $subscriptions }
home-no-subscriptions = No subscriptions yet — choose a plan 🎯
home-subscriptions-failed = Could not load your subscriptions, try again a bit later.
home-subscription = { $flag } { $location } — until { $until } ({ $days ->
        [one] { $days } day
       *[other] { $days } days
    } left)
home-subscription-forever = { $flag } { $location } — never expires
home-subscription-status = { $flag } { $location } — { $status ->
        [pending] ⏳ being prepared
        [expired] ⌛️ expired
        [disabled] ⛔️ disabled
        [failed] ❌ could not be created
       *[other] { $status }
    }
home-trial = 🎁 trial

## Catalog

locations-title =
    🌍 <b>Choose a location</b>

    A subscription works on your phone, computer and tablet.
locations-empty = 😔 No locations are on sale right now. Please check back soon.
location-button = { $flag } { $name }
location-full-button = { $flag } { $name } · full
location-full = 😔 This location is full right now — please pick another one.
location-gone = ⌛️ This location is no longer on sale — here is the current list.
plans-title =
    { $flag } <b>{ $location }</b>

    Choose a plan:
plans-empty = 😔 There are no plans for this location right now. Please pick another one.
plan-line = • <b>{ $name }</b> — { $price }
plan-line-discount = • <b>{ $name }</b> — { $price } (save { $discount }%)
plan-button = { $name } · { $price }
plan-button-discount = { $name } · { $price } · −{ $discount }%
plan-gone = ⌛️ This plan is no longer on sale — here are the current ones.
plan-card-title = { $flag } <b>{ $location }</b> · <b>{ $name }</b>
plan-duration = ⏳ Duration: { $duration }
plan-price = 💰 Price: <b>{ $price }</b>
plan-price-per-month = 💰 Price: <b>{ $price }</b> (≈ { $monthly } a month)
plan-discount = 🎁 You save { $discount }% compared to paying monthly
plan-devices = 📱 Devices: up to { $count }
plan-devices-unlimited = 📱 Devices: unlimited
plan-traffic = 📶 Traffic: { $gb } GB
plan-traffic-unlimited = 📶 Traffic: unlimited
duration-days = { $days ->
        [one] { $days } day
       *[other] { $days } days
    }
duration-months = { $months ->
        [one] { $months } month
       *[other] { $months } months
    }
duration-forever = forever

## Referral

referral =
    🔗 <b>Invite your friends</b>

    Your personal link:
    <code>{ $link }</code>

    A friend who opens the bot through this link becomes your referral — you get a bonus on your balance for their top-ups.
referral-stats = 👥 Invited: <b>{ $invited }</b> · 🎁 Earned: <b>{ $earned }</b>
btn-share = 📤 Share the link
share-text = Fast, hassle-free VPN — join through my link 👇

## Language

language-title = 🌐 Выберите язык / Choose your language
language-set = ✅ Done, the language is now English.
btn-lang-ru = 🇷🇺 Русский
btn-lang-en = 🇬🇧 English
