"""Citizens' assistant for Darmstadt's city partnerships."""

import os

# Nothing may reach a model hub or send telemetry, whatever the caller's environment.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
}
for _name, _value in OFFLINE_ENV.items():
    os.environ.setdefault(_name, _value)

__version__ = "0.1.0"
