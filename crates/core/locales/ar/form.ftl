# The form's own words (src/): buttons, progress, the consent step, the receipt.

loading = جارٍ تحميل النموذج…

## When the form cannot run (src/lib.rs)
unavailable-heading = عذرًا، هذا النموذج غير متاح الآن
unavailable-nothing-kept = لم يُرسَل أو يُحفَظ أي شيء ربما كتبته.
unavailable-the-firm = المكتب
unavailable-contact = يُرجى التواصل مع { $firm } مباشرةً.
unavailable-contact-by = يُرجى التواصل مع { $firm } مباشرةً: { $ways }.
unavailable-call = اتصل على { $phone }
unavailable-email = راسل { $email }

## Page titles and the parts of every page (src/form.rs, src/page.rs, src/fields.rs)
title-page = { $page } – { $form }
title-check-answers = راجِع إجاباتك
error-prefix = خطأ:{" "}
error-summary-title = توجد مشكلة
journey-progress = القسم { $number } من { $total }
journey-back = رجوع
journey-continue = متابعة
journey-kept-note = تُحفَظ إجاباتك في هذه الصفحة فقط إلى أن ترسلها. لن يُرسَل أي شيء قبل الصفحة الأخيرة.
honeypot-label = اترك هذا الحقل فارغًا
sealed-for = مُشفَّر في متصفحك لـ{ $firm }. { $count ->
        [one] بصمة المفتاح
        [two] بصمتا المفتاحين
       *[other] بصمات المفاتيح
    }:{" "}

## Questions (src/fields.rs, src/form.rs)
question-optional = { $label } (اختياري)
question-why-we-ask = سبب السؤال:{" "}
question-choose = اختر خيارًا
question-remove = إزالة
date-day = اليوم
date-month = الشهر
date-year = السنة
file-reading = جارٍ قراءة ملفك…
group-row = { $row } { $number }
group-add-first = إضافة { $row }
group-add-another = إضافة إدخال آخر: { $row }

## Check your answers (src/check_answers.rs)
check-heading = راجِع إجاباتك قبل إرسال النموذج
check-not-answered = بلا إجابة
check-change = تغيير
check-yes = نعم
check-no = لا

## The consent step (src/form.rs)
consent-heading = كيف نستخدم معلوماتك
consent-intro = لا يطلب { $firm } إلا ما يحتاج إليه لمساعدتك:
consent-uses-contact = طريقة التواصل معك
consent-uses-identity = مَن أنت
consent-uses-financial = الشؤون المالية
consent-uses-case = مسألتك القانونية
consent-uses-special = معلومات حساسة (فقط إذا اخترت تقديمها)
consent-uses-separator = {"؛ "}
consent-privacy-notice = اقرأ إشعار الخصوصية الخاص بنا (يُفتح في علامة تبويب جديدة)

## Sending (src/form.rs, src/flow.rs)
send-button = إرسال بأمان
send-sealing = جارٍ تشفير إجاباتك على هذا الجهاز…
send-sealing-progress = { $done } من { $total }
send-retrying = تعذّر الوصول إلى { $firm } — جارٍ المحاولة مرة أخرى (المحاولة { $attempt })…
send-sending = جارٍ إرسال نموذجك المشفَّر…
send-not-sent-heading = لم يُرسَل نموذجك بعد
send-not-sent-unreachable = تعذّر علينا الوصول إلى { $firm }. لا تزال إجاباتك هنا، وهي مشفَّرة بالفعل: لا يستطيع قراءتها إلا المكتب.
send-not-sent-options = يمكنك المحاولة مرة أخرى، أو تنزيل نسخة مختومة وإرسالها إلى المكتب بنفسك ({ $contact }). لا يستطيع أي شخص آخر قراءة النسخة المختومة.
send-sealed-reference = الرقم المرجعي للنسخة المختومة: { $reference }
send-retry = إعادة محاولة الإرسال
send-download-sealed = تنزيل نسخة مختومة
send-refused-heading = لم يُقبَل نموذجك
send-refused-contact = لا تزال إجاباتك هنا. يمكنك التواصل مع المكتب مباشرةً: { $contact }.
send-refused-status = لم يقبل خادم المكتب النموذج (الخطأ { $status }).
send-receipt-mismatch = أكّد خادم المكتب استلام نموذج غير الذي أُرسِل. يُرجى تنزيل نسخة مختومة أو التواصل مع المكتب.
send-honeypot = تعذّر إرسال هذا النموذج. يُرجى التواصل مع المكتب مباشرةً باستخدام البيانات أدناه.
send-sealing-failed = تعذّر تشفير نموذجك في هذا المتصفح. يُرجى تجربة متصفح آخر، أو التواصل مع المكتب مباشرةً.

## The receipt (src/form.rs, src/flow.rs)
receipt-heading = تم إرسال النموذج
receipt-reference = رقمك المرجعي
receipt-received = استلم { $firm } نموذجك المشفَّر. لا يستطيع أحد غيره قراءته. اذكر رقمك المرجعي إذا تواصلت معه بشأنه.
receipt-sent = وقت الإرسال
receipt-full-id = المعرِّف الكامل للإيصال
receipt-download = تنزيل الإيصال
receipt-file =
    إيصال النموذج الذي أرسلته إلى { $firm }

    الرقم المرجعي: { $short }
    المعرِّف الكامل للإيصال (SHA-256 لما أُرسِل): { $full }
    وقت الإرسال: { $shown-at } ({ $at })

    شُفِّرت إجاباتك على جهازك قبل إرسالها، ولا يستطيع قراءتها إلا { $firm }. اذكر الرقم المرجعي إذا تواصلت معه بشأن هذا النموذج.

## Save and continue later (src/save_later.rs, src/draft.rs)
draft-save = الحفظ والمتابعة لاحقًا
draft-saved-heading = تم حفظ إجاباتك
draft-download-heading = نزِّل إجاباتك لتتابع لاحقًا
draft-link = استخدم هذا الرابط للعودة إلى النموذج والمتابعة من حيث توقفت.
draft-link-until = استخدم هذا الرابط للعودة إلى النموذج والمتابعة من حيث توقفت. يظل صالحًا حتى { $date }.
draft-link-label = رابط العودة الخاص بك
draft-copy-link = نسخ الرابط
draft-link-copied = تم نسخ الرابط.
draft-not-kept = تعذّر حفظ إجاباتك على الخادم: { $problem }.
draft-not-kept-gone = لم تعد مسودتك السابقة موجودة على الخادم
draft-not-kept-unreachable = تعذّر الوصول إلى الخادم
draft-not-kept-status = ردّ الخادم بالرمز { $status }
draft-download-instead = نزِّل مسودتك بدلًا من ذلك، وحمِّلها في الصفحة الأولى من النموذج لتتابع.
draft-download-only = نزِّل مسودتك، وحمِّل الملف في الصفحة الأولى من النموذج عند عودتك.
draft-private-link = يستطيع أي شخص لديه هذا الرابط أو الملف الذي نزّلته قراءة إجاباتك. احتفظ بهما سرًّا كما تحتفظ بكلمة المرور.
draft-private-file = يستطيع أي شخص لديه الملف الذي نزّلته قراءة إجاباتك. احتفظ به سرًّا كما تحتفظ بكلمة المرور.
draft-locked = تُقفَل إجاباتك في هذا المتصفح قبل حفظها. لا يمكننا قراءتها، ولا يمكننا إرسال الرابط إليك مرة أخرى إذا فقدته.
draft-files-heading = الملفات لا تُحفَظ
draft-files-again = عند عودتك، ستحتاج إلى اختيار هذه الملفات مرة أخرى:
draft-continue = متابعة النموذج
draft-download = تنزيل المسودة
draft-welcome-back = مرحبًا بعودتك
draft-restored = استُعيدت إجاباتك المحفوظة. راجِعها أثناء تقدّمك في النموذج.
draft-form-changed = تغيّر النموذج منذ أن حفظته، لذا قد تكون بعض الأسئلة جديدة أو مصوغة بطريقة مختلفة.
draft-dropped = { $count ->
        [zero] لم تُستبعَد أي إجابة محفوظة.
        [one] لم تعد إجابة محفوظة واحدة تناسب النموذج، فاستُبعِدت.
        [two] لم تعد إجابتان محفوظتان تناسبان النموذج، فاستُبعِدتا.
        [few] لم تعد { $count } إجابات محفوظة تناسب النموذج، فاستُبعِدت.
        [many] لم تعد { $count } إجابةً محفوظةً تناسب النموذج، فاستُبعِدت.
       *[other] لم تعد { $count } إجابة محفوظة تناسب النموذج، فاستُبعِدت.
    }
draft-not-opened = تعذّر فتح إجاباتك المحفوظة
draft-files-not-in-draft = لا تُحفَظ الملفات في المسودة. اختر هذه الملفات مرة أخرى:
draft-gone = لم يعد هذا النموذج المحفوظ متاحًا: فقد أُرسِل أو حُذِف أو انتهت مدة الاحتفاظ به. يمكنك البدء من جديد أدناه.
draft-damaged = الرابط أو الملف ناقص أو تالف. تحقّق من أنك نسخت الرابط كاملًا، أو اختر الملف مرة أخرى. يمكنك أيضًا البدء من جديد أدناه.
draft-unreachable = تعذّر الوصول إلى الخادم. تحقّق من اتصالك بالإنترنت وافتح الرابط مرة أخرى.
draft-load-summary = المتابعة من مسودة نزّلتها
draft-load-label = اختر ملف المسودة
draft-load-hint = الملف الذي نزّلته عند حفظ إجاباتك، واسمه مثل sealform-draft-2026-12-07.json.
