#!/bin/sh
# Entry point of the alertmanager container: renders alertmanager.yml with the Telegram chat from the
# environment, then runs Alertmanager. Without a token and chat id, alerts go to the "none" receiver.
set -eu
template=/etc/alertmanager/alertmanager.yml
config=/alertmanager/alertmanager.yml
token="${ALERT_TELEGRAM_BOT_TOKEN:-}"
chat="${ALERT_TELEGRAM_CHAT_ID:-}"
case "$chat" in
  '' | *[!0-9-]*) chat="" ;;
esac
if [ -n "$token" ] && [ -n "$chat" ]; then
  receiver=telegram
else
  echo "alertmanager: no Telegram bot token or chat id; alerts are visible in Prometheus only" >&2
  receiver=none token=unset chat=0
fi
case "$token" in
  *[!A-Za-z0-9:_-]*) echo "alertmanager: the bot token has unexpected characters" >&2; exit 1 ;;
esac
umask 077
sed -e "s|__RECEIVER__|$receiver|g" -e "s|__BOT_TOKEN__|$token|g" -e "s|__CHAT_ID__|$chat|g" \
  "$template" >"$config"
exec /bin/alertmanager --config.file="$config" --storage.path=/alertmanager "$@"
