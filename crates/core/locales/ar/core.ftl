# رسائل قواعد الإجابة (crates/core/src/validate.rs).
# $name هو نص السؤال؛ $row تسمية صف في مجموعة متكررة.

enter = أدخل { $name }
select = اختر { $name }
add-at-least-one = أضف { $row } واحدًا على الأقل
row-name = { $label } في { $row } { $number }
not-asked = لم يُطرح السؤال { $name }، لذا يجب ألا تكون له إجابة
not-asked-files = لم يُطرح السؤال { $name }، لذا يجب ألا تكون له ملفات
unknown-question = لا يحتوي النموذج على السؤال «{ $key }»
unknown-question-in-row = لا يحتوي النموذج على السؤال «{ $key }» في { $row }
unknown-file-question = لا يحتوي النموذج على سؤال رفع الملفات «{ $key }»
wrong-shape = الإجابة عن { $name } ليست بالشكل الذي يتطلبه هذا السؤال
too-long = يجب ألا يزيد { $name } على { $max } حرفًا
invalid-email = أدخل عنوان بريد إلكتروني بالصيغة الصحيحة، مثل name@example.com
invalid-tel = أدخل رقم هاتف، مثل 01632 960 001 أو ‎+44 7700 900 982
invalid-date = يجب أن يكون { $name } تاريخًا حقيقيًا
date-past = يجب أن يكون { $name } في الماضي
date-past-or-today = يجب أن يكون { $name } اليوم أو في الماضي
date-future = يجب أن يكون { $name } في المستقبل
date-future-or-today = يجب أن يكون { $name } اليوم أو في المستقبل
date-not-before = يجب أن يكون { $name } في { $date } أو بعده
date-not-after = يجب أن يكون { $name } في { $date } أو قبله
not-a-number = يجب أن يكون { $name } رقمًا
not-a-whole-number = يجب أن يكون { $name } عددًا صحيحًا
number-between = يجب أن يكون { $name } بين { $min } و{ $max }
number-at-least = يجب أن يكون { $name } { $min } أو أكثر
number-at-most = يجب أن يكون { $name } { $max } أو أقل
unknown-option = اختر { $name } من الخيارات المعروضة
too-few-selected = { $min ->
        [zero] اختر خيارًا واحدًا على الأقل لـ{ $name }
        [one] اختر خيارًا واحدًا على الأقل لـ{ $name }
        [two] اختر خيارين على الأقل لـ{ $name }
        [few] اختر { $min } خيارات على الأقل لـ{ $name }
       *[other] اختر { $min } خيارًا على الأقل لـ{ $name }
    }
too-many-selected = { $max ->
        [one] اختر خيارًا واحدًا على الأكثر لـ{ $name }
        [two] اختر خيارين على الأكثر لـ{ $name }
        [few] اختر { $max } خيارات على الأكثر لـ{ $name }
       *[other] اختر { $max } خيارًا على الأكثر لـ{ $name }
    }
too-few-rows = { $min ->
        [one] أضف إدخالًا واحدًا على الأقل إلى { $name }
        [two] أضف إدخالين على الأقل إلى { $name }
        [few] أضف { $min } إدخالات على الأقل إلى { $name }
       *[other] أضف { $min } إدخالًا على الأقل إلى { $name }
    }
too-many-rows = { $max ->
        [one] يجب ألا يحتوي { $name } على أكثر من إدخال واحد
        [two] يجب ألا يحتوي { $name } على أكثر من إدخالين
        [few] يجب ألا يحتوي { $name } على أكثر من { $max } إدخالات
       *[other] يجب ألا يحتوي { $name } على أكثر من { $max } إدخالًا
    }
the-selected-file = الملف المحدد
file-empty = { $file } فارغ
file-too-large = يجب أن يكون حجم { $file } أقل من { $size }
file-wrong-type = يجب أن يكون { $file } بصيغة { $types }
too-many-files = { $max ->
        [one] يمكنك اختيار ملف واحد فقط
        [two] يمكنك اختيار ملفين فقط
        [few] يمكنك اختيار { $max } ملفات فقط
       *[other] يمكنك اختيار { $max } ملفًا فقط
    }
too-many-files-in-total = { $max ->
        [one] يمكنك اختيار ملف واحد فقط في المجموع
        [two] يمكنك اختيار ملفين فقط في المجموع
        [few] يمكنك اختيار { $max } ملفات فقط في المجموع
       *[other] يمكنك اختيار { $max } ملفًا فقط في المجموع
    }
files-too-large-in-total = يجب أن يكون الحجم الإجمالي للملفات المحددة أقل من { $size }
or-list = { $init } أو { $last }
list-comma = {"، "}
long-date = { $day } { $month ->
        [1] يناير
        [2] فبراير
        [3] مارس
        [4] أبريل
        [5] مايو
        [6] يونيو
        [7] يوليو
        [8] أغسطس
        [9] سبتمبر
        [10] أكتوبر
        [11] نوفمبر
       *[12] ديسمبر
    } { $year }

# A consent the client has not ticked and that has no message of its own.
confirm-consent = حدِّد المربع للتأكيد: { $text }
