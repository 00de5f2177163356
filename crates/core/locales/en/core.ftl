# The answer rules' messages (crates/core/src/validate.rs), in the GOV.UK Design System's words.
# $name is the question's label as it reads mid-sentence ("full name"); $row a repeatable group's row label.

enter = Enter { $name }
select = Select { $name }
add-at-least-one = Add at least one { $row }
row-name = { $label } for { $row } { $number }
not-asked = { $name } was not asked, so it must not have an answer
not-asked-files = { $name } was not asked, so it must not have files
unknown-question = The form has no question "{ $key }"
unknown-question-in-row = The form has no question "{ $key }" in { $row }
unknown-file-question = The form has no file upload question "{ $key }"
wrong-shape = The answer to { $name } is not in the form this question takes
too-long = { $name } must be { $max } characters or less
invalid-email = Enter an email address in the correct format, like name@example.com
invalid-tel = Enter a telephone number, like 01632 960 001 or +44 7700 900 982
invalid-date = { $name } must be a real date
date-past = { $name } must be in the past
date-past-or-today = { $name } must be today or in the past
date-future = { $name } must be in the future
date-future-or-today = { $name } must be today or in the future
date-not-before = { $name } must be the same as or after { $date }
date-not-after = { $name } must be the same as or before { $date }
not-a-number = { $name } must be a number
not-a-whole-number = { $name } must be a whole number
number-between = { $name } must be between { $min } and { $max }
number-at-least = { $name } must be { $min } or more
number-at-most = { $name } must be { $max } or less
unknown-option = Select { $name } from the options given
too-few-selected = Select at least { $min } { $min ->
        [one] option
       *[other] options
    } for { $name }
too-many-selected = Select no more than { $max } { $max ->
        [one] option
       *[other] options
    } for { $name }
too-few-rows = Add at least { $min } { $min ->
        [one] entry
       *[other] entries
    } to { $name }
too-many-rows = { $name } must have { $max } { $max ->
        [one] entry
       *[other] entries
    } or fewer
the-selected-file = The selected file
file-empty = { $file } is empty
file-too-large = { $file } must be smaller than { $size }
# $article is "a" or "an", chosen for the first type's English sound ("an RTF", "a PDF").
file-wrong-type = { $file } must be { $article } { $types }
too-many-files = { $max ->
        [one] You can only select 1 file
       *[other] You can only select up to { $max } files
    }
too-many-files-in-total = { $max ->
        [one] You can only select 1 file in total
       *[other] You can only select up to { $max } files in total
    }
files-too-large-in-total = The selected files must be smaller than { $size } in total
# "PDF, JPG or PNG": $init is the items but the last, joined by list-comma.
or-list = { $init } or { $last }
list-comma = {", "}
# "1 January 2025", as GOV.UK writes dates.
long-date = { $day } { $month ->
        [1] January
        [2] February
        [3] March
        [4] April
        [5] May
        [6] June
        [7] July
        [8] August
        [9] September
        [10] October
        [11] November
       *[12] December
    } { $year }

# A consent the client has not ticked and that has no message of its own.
confirm-consent = Select the box to confirm: { $text }
