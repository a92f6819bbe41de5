"""The drives a row's link can point to, behind one seam: `base.py` what the check job asks of a drive
(Provider, Link, the registry by name), one module per drive (`quark.py`)."""
