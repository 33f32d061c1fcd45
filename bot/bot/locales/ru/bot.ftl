## Start and errors

welcome =
    👋 Привет, { $name }!

    Это магазин VPN: выберите локацию и тариф, оплатите — ключ придёт сюда же.
welcome-back = 👋 С возвращением, { $name }!
blocked = ⛔️ Ваш аккаунт заблокирован. Если это ошибка, напишите в поддержку.
backend-down = ⏳ Сервис временно недоступен. Попробуйте через минуту.
error = 😕 Что-то пошло не так. Попробуйте ещё раз.
too-many = 🐢 Не так быстро — подождите пару секунд.
stale-button = ⌛️ Эта кнопка устарела — вот актуальное меню.
unknown-text = 🤔 Не понял сообщение. Выберите пункт меню внизу 👇

## Main menu (the keyboard under the input field) and common buttons

menu-home = 🏠 Главная
menu-tariffs = 🎯 Тарифы
menu-referral = 🔗 Пригласить друга
menu-language = 🌐 Язык
btn-back = ⬅️ Назад
btn-menu = 🏠 Меню
btn-tariffs = 🎯 Выбрать тариф
btn-referral = 🔗 Пригласить друга
btn-language = 🌐 Язык / Language
input-placeholder = Выберите пункт меню

## Commands

cmd-start = Главное меню
cmd-tariffs = Тарифы и цены
cmd-language = Сменить язык

## Home

home =
    🏠 <b>Главная</b>

    💰 Баланс: <b>{ $balance }</b>

    📊 <b>Подписки</b>
    { $subscriptions }
home-no-subscriptions = Пока нет подписок — выберите тариф 🎯
home-subscriptions-failed = Не удалось загрузить подписки, попробуйте чуть позже.
home-subscription = { $flag } { $location } — до { $until } (ещё { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    })
home-subscription-forever = { $flag } { $location } — бессрочно
home-subscription-status = { $flag } { $location } — { $status ->
        [pending] ⏳ готовится
        [expired] ⌛️ закончилась
        [disabled] ⛔️ отключена
        [failed] ❌ не удалось выдать
       *[other] { $status }
    }
home-trial = 🎁 пробная

## Catalog

locations-title =
    🌍 <b>Выберите локацию</b>

    Подписка работает на телефоне, компьютере и планшете.
locations-empty = 😔 Сейчас нет локаций в продаже. Загляните чуть позже.
location-button = { $flag } { $name }
location-full-button = { $flag } { $name } · нет мест
location-full = 😔 В этой локации сейчас нет свободных мест — выберите другую.
location-gone = ⌛️ Этой локации больше нет в продаже — вот актуальный список.
plans-title =
    { $flag } <b>{ $location }</b>

    Выберите тариф:
plans-empty = 😔 Для этой локации сейчас нет тарифов. Выберите другую.
plan-line = • <b>{ $name }</b> — { $price }
plan-line-discount = • <b>{ $name }</b> — { $price } (выгода { $discount }%)
plan-button = { $name } · { $price }
plan-button-discount = { $name } · { $price } · −{ $discount }%
plan-gone = ⌛️ Этот тариф больше не продаётся — вот актуальные.
plan-card-title = { $flag } <b>{ $location }</b> · <b>{ $name }</b>
plan-duration = ⏳ Срок: { $duration }
plan-price = 💰 Цена: <b>{ $price }</b>
plan-price-per-month = 💰 Цена: <b>{ $price }</b> (≈ { $monthly } в месяц)
plan-discount = 🎁 Выгода { $discount }% по сравнению с помесячной оплатой
plan-devices = 📱 Устройств: до { $count }
plan-devices-unlimited = 📱 Устройств: без ограничений
plan-traffic = 📶 Трафик: { $gb } ГБ
plan-traffic-unlimited = 📶 Трафик: безлимитный
duration-days = { $days ->
        [one] { $days } день
        [few] { $days } дня
       *[other] { $days } дней
    }
duration-months = { $months ->
        [one] { $months } месяц
        [few] { $months } месяца
       *[other] { $months } месяцев
    }
duration-forever = навсегда

## Referral

referral =
    🔗 <b>Приглашайте друзей</b>

    Ваша личная ссылка:
    <code>{ $link }</code>

    Друг открывает бота по этой ссылке и становится вашим рефералом — за его пополнения вам начисляется бонус на баланс.
referral-stats = 👥 Приглашено: <b>{ $invited }</b> · 🎁 Заработано: <b>{ $earned }</b>
btn-share = 📤 Поделиться ссылкой
share-text = Быстрый VPN без заморочек — подключайся по моей ссылке 👇

## Language

language-title = 🌐 Выберите язык / Choose your language
language-set = ✅ Готово, язык — русский.
btn-lang-ru = 🇷🇺 Русский
btn-lang-en = 🇬🇧 English
