"""Shop settings editable in the admin panel: typed definitions registered by each domain."""
