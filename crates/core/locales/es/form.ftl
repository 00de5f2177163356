# The form's own words (src/): buttons, progress, the consent step, the receipt.

loading = Cargando el formulario…

## When the form cannot run (src/lib.rs)
unavailable-heading = Lo sentimos, este formulario no está disponible en este momento
unavailable-nothing-kept = Nada de lo que haya escrito se ha enviado ni guardado.
unavailable-the-firm = el despacho
unavailable-contact = Póngase en contacto directamente con { $firm }.
unavailable-contact-by = Póngase en contacto directamente con { $firm }: { $ways }.
unavailable-call = llame al { $phone }
unavailable-email = escriba a { $email }

## Page titles and the parts of every page (src/form.rs, src/page.rs, src/fields.rs)
title-page = { $page } – { $form }
title-check-answers = Revise sus respuestas
error-prefix = Error:{" "}
error-summary-title = Hay un problema
journey-progress = Sección { $number } de { $total }
journey-back = Atrás
journey-continue = Continuar
journey-kept-note = Sus respuestas se conservan solo en esta página hasta que las envíe. No se envía nada hasta la última página.
honeypot-label = Deje este campo vacío
sealed-for = Cifrado en su navegador para { $firm }. { $count ->
        [one] Huella digital de la clave
       *[other] Huellas digitales de las claves
    }:{" "}

## Questions (src/fields.rs, src/form.rs)
question-optional = { $label } (opcional)
question-why-we-ask = Por qué lo preguntamos:{" "}
question-choose = Elija una opción
question-remove = Quitar
date-day = Día
date-month = Mes
date-year = Año
file-reading = Leyendo su archivo…
group-row = { $row } { $number }
group-add-first = Añadir { $row }
group-add-another = Añadir otro elemento: { $row }

## Check your answers (src/check_answers.rs)
check-heading = Revise sus respuestas antes de enviar el formulario
check-not-answered = Sin responder
check-change = Cambiar
check-yes = Sí
check-no = No

## The consent step (src/form.rs)
consent-heading = Cómo usamos su información
consent-intro = { $firm } solo pide lo que necesita para ayudarle:
consent-uses-contact = Cómo contactar con usted
consent-uses-identity = Quién es usted
consent-uses-financial = Cuestiones económicas
consent-uses-case = Su asunto legal
consent-uses-special = Información delicada (solo si decide darla)
consent-uses-separator = {"; "}
consent-privacy-notice = Lea nuestro aviso de privacidad (se abre en una pestaña nueva)

## Sending (src/form.rs, src/flow.rs)
send-button = Enviar de forma segura
send-sealing = Cifrando sus respuestas en este dispositivo…
send-sealing-progress = { $done } de { $total }
send-retrying = No se pudo contactar con { $firm }. Se está intentando de nuevo (intento { $attempt })…
send-sending = Enviando su formulario cifrado…
send-not-sent-heading = Su formulario aún no se ha enviado
send-not-sent-unreachable = No pudimos contactar con { $firm }. Sus respuestas siguen aquí y ya están cifradas: solo el despacho puede leerlas.
send-not-sent-options = Puede intentarlo de nuevo, o descargar una copia sellada y enviarla por su cuenta al despacho ({ $contact }). Nadie más puede leer la copia sellada.
send-sealed-reference = Referencia de la copia sellada: { $reference }
send-retry = Intentar enviarlo de nuevo
send-download-sealed = Descargar una copia sellada
send-refused-heading = No se aceptó su formulario
send-refused-contact = Sus respuestas siguen aquí. Puede ponerse en contacto directamente con el despacho: { $contact }.
send-refused-status = El servidor del despacho no aceptó el formulario (error { $status }).
send-receipt-mismatch = El servidor del despacho confirmó la recepción de un formulario distinto del enviado. Descargue una copia sellada o póngase en contacto con el despacho.
send-honeypot = No se pudo enviar este formulario. Póngase en contacto directamente con el despacho con los datos que aparecen más abajo.
send-sealing-failed = No se pudo cifrar su formulario en este navegador. Pruebe con otro navegador o póngase en contacto directamente con el despacho.

## The receipt (src/form.rs, src/flow.rs)
receipt-heading = Formulario enviado
receipt-reference = Su referencia
receipt-received = { $firm } ha recibido su formulario cifrado. Nadie más puede leerlo. Indique su referencia si se pone en contacto con { $firm } por este formulario.
receipt-sent = Fecha de envío
receipt-full-id = Identificador completo del recibo
receipt-download = Descargar su recibo
receipt-file =
    Recibo del formulario que envió a { $firm }

    Referencia: { $short }
    Identificador completo del recibo (SHA-256 de lo enviado): { $full }
    Fecha de envío: { $shown-at } ({ $at })

    Sus respuestas se cifraron en su dispositivo antes de enviarse; solo { $firm } puede leerlas. Indique la referencia si se pone en contacto con { $firm } por este formulario.

## Save and continue later (src/save_later.rs, src/draft.rs)
draft-save = Guardar y continuar más tarde
draft-saved-heading = Sus respuestas se han guardado
draft-download-heading = Descargue sus respuestas para continuar más tarde
draft-link = Use este enlace para volver al formulario y continuar donde lo dejó.
draft-link-until = Use este enlace para volver al formulario y continuar donde lo dejó. Funciona hasta el { $date }.
draft-link-label = Su enlace para volver
draft-copy-link = Copiar enlace
draft-link-copied = Enlace copiado.
draft-not-kept = No se pudieron guardar sus respuestas en el servidor: { $problem }.
draft-not-kept-gone = el servidor ya no tiene su borrador anterior
draft-not-kept-unreachable = no se pudo contactar con el servidor
draft-not-kept-status = el servidor respondió con el código { $status }
draft-download-instead = Descargue su borrador y cárguelo en la primera página del formulario para continuar.
draft-download-only = Descargue su borrador y cargue el archivo en la primera página del formulario cuando vuelva.
draft-private-link = Cualquier persona que tenga este enlace o el archivo descargado puede leer sus respuestas. Guárdelos en privado, como haría con una contraseña.
draft-private-file = Cualquier persona que tenga el archivo descargado puede leer sus respuestas. Guárdelo en privado, como haría con una contraseña.
draft-locked = Sus respuestas se bloquean en este navegador antes de guardarse. Nosotros no podemos leerlas ni volver a enviarle el enlace si lo pierde.
draft-files-heading = Los archivos no se guardan
draft-files-again = Cuando vuelva, tendrá que elegir de nuevo estos archivos:
draft-continue = Continuar con el formulario
draft-download = Descargar su borrador
draft-welcome-back = Le damos de nuevo la bienvenida
draft-restored = Sus respuestas guardadas se han recuperado. Revíselas a medida que avanza.
draft-form-changed = El formulario ha cambiado desde que lo guardó, así que algunas preguntas pueden ser nuevas o estar redactadas de otra forma.
draft-dropped = { $count ->
        [one] { $count } respuesta guardada ya no encaja en el formulario y se ha omitido.
       *[other] { $count } respuestas guardadas ya no encajan en el formulario y se han omitido.
    }
draft-not-opened = No se pudieron abrir sus respuestas guardadas
draft-files-not-in-draft = Los archivos no se guardan en un borrador. Vuelva a elegir estos archivos:
draft-gone = Este formulario guardado ya no se conserva: se envió, se eliminó o terminó el plazo durante el que se guardaba. Puede empezar de nuevo más abajo.
draft-damaged = El enlace o el archivo está incompleto o dañado. Compruebe que copió el enlace completo o vuelva a elegir el archivo. También puede empezar de nuevo más abajo.
draft-unreachable = No se pudo contactar con el servidor. Compruebe su conexión y vuelva a abrir el enlace.
draft-load-summary = Continuar desde un borrador descargado
draft-load-label = Elija su archivo de borrador
draft-load-hint = El archivo que descargó al guardar sus respuestas, con un nombre como sealform-draft-2026-12-07.json.
