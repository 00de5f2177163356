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
