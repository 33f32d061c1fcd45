"""VPN panels (3x-ui, Marzban) behind one Protocol; adapters translate each vendor's API and errors."""
