# The form's own words (src/): buttons, progress, the consent step, the receipt.

