# The form's own words (src/): buttons, progress, the consent step, the receipt.

loading = Loading the form…

## When the form cannot run (src/lib.rs)
unavailable-heading = Sorry, this form is not available right now
unavailable-nothing-kept = Nothing you might have typed has been sent or kept.
unavailable-the-firm = the firm
unavailable-contact = Please contact { $firm } directly.
# $ways is "call 020 7946 0000", "email help@example.com", or both joined by or-list.
unavailable-contact-by = Please contact { $firm } directly: { $ways }.
unavailable-call = call { $phone }
unavailable-email = email { $email }
