"""Payment providers behind one Protocol: Sever Pay, Crypto Pay, xRocket and Telegram Stars."""
