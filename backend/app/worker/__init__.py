"""arq worker: settings, cron table and the after-commit enqueue buffer."""
