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
