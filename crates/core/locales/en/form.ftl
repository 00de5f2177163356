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

## Page titles and the parts of every page (src/form.rs, src/page.rs, src/fields.rs)
# The browser tab's title on a page of the form: $page is the page's name, $form the form's title.
title-page = { $page } – { $form }
title-check-answers = Check your answers
# Put before the page title, and (visually hidden) before each inline error, while the page shows problems.
error-prefix = Error:{" "}
error-summary-title = There is a problem
# "Section 2 of 6": $number is the section shown, $total how many the form has.
journey-progress = Section { $number } of { $total }
journey-back = Back
journey-continue = Continue
journey-kept-note = Your answers are kept on this page only until you send them. Nothing is sent until the last page.
# The label of a field only bots fill in; people never see it.
honeypot-label = Leave this empty
# $firm is the firm's name; $count how many keys the form is encrypted for, whose fingerprints follow the text.
sealed-for = Encrypted in your browser for { $firm }. { $count ->
        [one] Key fingerprint
       *[other] Key fingerprints
    }:{" "}

## Questions (src/fields.rs, src/form.rs)
# $label is the question, as the firm wrote it.
question-optional = { $label } (optional)
# Put before the firm's reason for asking a question.
question-why-we-ask = Why we ask:{" "}
question-choose = Choose an option
# A button after a picked file or a group's row; its name (visually hidden) follows it.
question-remove = Remove
date-day = Day
date-month = Month
date-year = Year
file-reading = Reading your file…
# One row of a repeatable group, "Other party 2": $row is the group's row label, $number the row's, from 1.
group-row = { $row } { $number }
# $row is the group's row label, lower-cased ("other party").
group-add-first = Add a { $row }
group-add-another = Add another { $row }

## Check your answers (src/check_answers.rs)
check-heading = Check your answers before sending your form
check-not-answered = Not answered
# A link to the question again; the question (visually hidden) follows it.
check-change = Change
check-yes = Yes
check-no = No

## The consent step (src/form.rs)
consent-heading = How we use your information
# $firm is the firm's name; a list of the kinds of data it asks for follows.
consent-intro = { $firm } asks only for what it needs to help you:
consent-uses-contact = How to contact you
consent-uses-identity = Who you are
consent-uses-financial = Money matters
consent-uses-case = Your legal matter
consent-uses-special = Sensitive information (only if you choose to give it)
# Between the questions listed for one kind of data.
consent-uses-separator = {"; "}
consent-privacy-notice = Read our privacy notice (opens in new tab)

## Sending (src/form.rs, src/flow.rs)
send-button = Send securely
send-sealing = Encrypting your answers on this device…
# Inside the progress bar, for browsers that do not draw one: $done parts encrypted of $total.
send-sealing-progress = { $done } of { $total }
# $firm is the firm's name; $attempt the try under way, from 2.
send-retrying = Could not reach { $firm } — trying again (attempt { $attempt })…
send-sending = Sending your encrypted form…
send-not-sent-heading = Your form has not been sent yet
send-not-sent-unreachable = We could not reach { $firm }. Your answers are still here and are already encrypted: only the firm can read them.
# $contact is the firm's ways to be reached, "email help@example.com or call 020 7946 0000" (unavailable-email, unavailable-call, or-list).
send-not-sent-options = You can try again, or download a sealed copy and send it to the firm yourself ({ $contact }). The sealed copy cannot be read by anyone else.
# $reference is the sealed copy's short reference.
send-sealed-reference = Reference of the sealed copy: { $reference }
send-retry = Try sending again
send-download-sealed = Download a sealed copy
send-refused-heading = Your form was not accepted
# $contact as in send-not-sent-options.
send-refused-contact = Your answers are still here. You can contact the firm directly: { $contact }.
# When the firm's server refused the form without saying why: $status is the HTTP status code.
send-refused-status = The firm's server did not accept the form (error { $status }).
send-receipt-mismatch = The firm's server acknowledged a different form than the one sent. Please download a sealed copy or contact the firm.
# The hidden field only bots fill in was filled.
send-honeypot = This form could not be sent. Please contact the firm directly using the details below.
send-sealing-failed = Your form could not be encrypted in this browser. Please try another browser, or contact the firm directly.

## The receipt (src/form.rs, src/flow.rs)
receipt-heading = Form sent
receipt-reference = Your reference
# $firm is the firm's name.
receipt-received = { $firm } has received your encrypted form. Only they can read it. Quote your reference if you contact them about it.
receipt-sent = Sent
receipt-full-id = Full receipt id
receipt-download = Download your receipt
# The receipt as a text file: $short the reference, $full the full receipt id, $shown-at when it was sent as the
# client reads it, $at the same in RFC 3339.
receipt-file =
    Receipt for your form sent to { $firm }

    Reference: { $short }
    Full receipt id (SHA-256 of what was sent): { $full }
    Sent: { $shown-at } ({ $at })

    Your answers were encrypted on your device before they were sent; only { $firm } can read them. Quote the reference if you contact them about this form.

## Save and continue later (src/save_later.rs, src/draft.rs)
draft-save = Save and continue later
draft-saved-heading = Your answers are saved
draft-download-heading = Download your answers to carry on later
draft-link = Use this link to come back to the form and carry on where you stopped.
# $date is the last day the link works, in words.
draft-link-until = Use this link to come back to the form and carry on where you stopped. It works until { $date }.
draft-link-label = Your link to come back
draft-copy-link = Copy link
draft-link-copied = Link copied.
# $problem says why, to read mid-sentence: draft-not-kept-gone, -unreachable, -status, or the server's own words.
draft-not-kept = Your answers could not be kept on the server: { $problem }.
draft-not-kept-gone = the server no longer has your earlier draft
draft-not-kept-unreachable = the server could not be reached
# $status is the HTTP status code.
draft-not-kept-status = the server answered { $status }
draft-download-instead = Download your draft instead, and load it on the form's first page to carry on.
draft-download-only = Download your draft, and load the file on the form's first page when you come back.
draft-private-link = Anyone who has this link, or the downloaded file, can read your answers. Keep them private, as you would a password.
draft-private-file = Anyone who has the downloaded file can read your answers. Keep it private, as you would a password.
draft-locked = Your answers are locked in this browser before they are saved. We cannot read them, and we cannot send you the link again if you lose it.
draft-files-heading = Files are not saved
draft-files-again = When you come back, you will need to choose these files again:
draft-continue = Continue with the form
draft-download = Download your draft
draft-welcome-back = Welcome back
draft-restored = Your saved answers are back. Check them as you go.
draft-form-changed = The form has changed since you saved, so some questions may be new or worded differently.
# $count is how many saved answers were left out (at least 1).
draft-dropped = { $count ->
        [one] { $count } saved answer no longer fit the form and was left out.
       *[other] { $count } saved answers no longer fit the form and were left out.
    }
draft-not-opened = Your saved answers could not be opened
draft-files-not-in-draft = Files are not saved in a draft. Choose these again:
draft-gone = This saved form is no longer kept: it was sent, deleted, or the time it was kept for is over. You can start again below.
draft-damaged = The link or file is incomplete or damaged. Check that you copied the whole link, or choose the file again. You can also start again below.
draft-unreachable = The server could not be reached. Check your connection and open the link again.
draft-load-summary = Continue from a downloaded draft
draft-load-label = Choose your draft file
draft-load-hint = The file you downloaded when you saved your answers, named like sealform-draft-2026-12-07.json.
