# Los mensajes de las reglas de respuesta (crates/core/src/validate.rs).
# $name es el texto de la pregunta tal como se lee en mitad de una frase; $row la etiqueta de una fila.

enter = Introduzca { $name }
select = Seleccione { $name }
add-at-least-one = Añada al menos un elemento: { $row }
row-name = { $label } de { $row } { $number }
not-asked = No se preguntó { $name }, así que no debe tener respuesta
not-asked-files = No se preguntó { $name }, así que no debe tener archivos
unknown-question = El formulario no tiene la pregunta «{ $key }»
unknown-question-in-row = El formulario no tiene la pregunta «{ $key }» en { $row }
unknown-file-question = El formulario no tiene la pregunta de archivos «{ $key }»
wrong-shape = La respuesta a { $name } no tiene la forma que pide esta pregunta
too-long = { $name } debe tener { $max } caracteres o menos
invalid-email = Introduzca una dirección de correo electrónico con el formato correcto, como nombre@ejemplo.com
invalid-tel = Introduzca un número de teléfono, como 01632 960 001 o +44 7700 900 982
invalid-date = { $name } debe ser una fecha real
date-past = { $name } debe ser una fecha pasada
date-past-or-today = { $name } debe ser hoy o una fecha pasada
date-future = { $name } debe ser una fecha futura
date-future-or-today = { $name } debe ser hoy o una fecha futura
date-not-before = { $name } debe ser el { $date } o posterior
date-not-after = { $name } debe ser el { $date } o anterior
not-a-number = { $name } debe ser un número
not-a-whole-number = { $name } debe ser un número entero
number-between = { $name } debe estar entre { $min } y { $max }
number-at-least = { $name } debe ser { $min } o más
number-at-most = { $name } debe ser { $max } o menos
unknown-option = Seleccione { $name } entre las opciones dadas
too-few-selected = Seleccione al menos { $min } { $min ->
        [one] opción
       *[other] opciones
    } para { $name }
too-many-selected = Seleccione como máximo { $max } { $max ->
        [one] opción
       *[other] opciones
    } para { $name }
too-few-rows = Añada al menos { $min } { $min ->
        [one] entrada
       *[other] entradas
    } a { $name }
too-many-rows = { $name } debe tener { $max } { $max ->
        [one] entrada
       *[other] entradas
    } o menos
the-selected-file = El archivo seleccionado
file-empty = { $file } está vacío
file-too-large = { $file } debe ocupar menos de { $size }
file-wrong-type = { $file } debe ser un archivo { $types }
too-many-files = { $max ->
        [one] Solo puede seleccionar 1 archivo
       *[other] Solo puede seleccionar hasta { $max } archivos
    }
too-many-files-in-total = { $max ->
        [one] Solo puede seleccionar 1 archivo en total
       *[other] Solo puede seleccionar hasta { $max } archivos en total
    }
files-too-large-in-total = Los archivos seleccionados deben ocupar menos de { $size } en total
or-list = { $init } o { $last }
list-comma = {", "}
long-date = { $day } de { $month ->
        [1] enero
        [2] febrero
        [3] marzo
        [4] abril
        [5] mayo
        [6] junio
        [7] julio
        [8] agosto
        [9] septiembre
        [10] octubre
        [11] noviembre
       *[12] diciembre
    } de { $year }

# A consent the client has not ticked and that has no message of its own.
confirm-consent = Marque la casilla para confirmar: { $text }
