"""Protocol fakes of the outside world (VPN panels, payment providers, Telegram's Bot API).

They speak the real wire protocols closely enough to run our real clients against them: same paths,
auth, envelopes, errors and signatures (see shared specs). Tests run them on loopback ports; `make dev`
runs some of them as the sandbox. They are not part of the production image.
"""
