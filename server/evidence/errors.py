"""Every way a bundle can fail, as a stable code with a plain message in Spanish and English.

The same codes are used by the staff desk in the browser (pwa/staff/), so the command line,
the report endpoint and the desk name each failure the same way and tests can compare them.
"""

from __future__ import annotations

from typing import Final

#: code -> (Spanish, English). `{name}` and `{detail}` are filled in by the caller.
MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "empty": (
        "El archivo está vacío.",
        "The file is empty.",
    ),
    "too_big": (
        "El archivo es demasiado grande para ser un paquete de evidencia ({detail}).",
        "The file is too big to be an evidence bundle ({detail}).",
    ),
    "not_zip": (
        "El archivo no es un ZIP. Un paquete de evidencia de Cartilla es un archivo .zip.",
        "The file is not a ZIP. A Cartilla evidence bundle is a .zip file.",
    ),
    "truncated": (
        "El ZIP está cortado o incompleto (quizá no se terminó de descargar o copiar).",
        "The ZIP is cut short or incomplete (perhaps it did not finish downloading or copying).",
    ),
    "damaged": (
        "El archivo {name} dentro del ZIP está dañado: su contenido no coincide con el ZIP.",
        "The file {name} inside the ZIP is damaged: its content does not match the ZIP.",
    ),
    "leading_bytes": (
        "El ZIP tiene bytes de más antes del primer archivo ({detail}); un paquete de Cartilla "
        "nunca los lleva.",
        "The ZIP has extra bytes before its first file ({detail}); a Cartilla bundle never has "
        "them.",
    ),
    "trailing_bytes": (
        "El ZIP tiene bytes de más después de su final ({detail}), o un comentario.",
        "The ZIP has extra bytes after its end ({detail}), or a comment.",
    ),
    "hidden_bytes": (
        "El ZIP tiene bytes escondidos entre sus archivos {name} ({detail}).",
        "The ZIP has hidden bytes between its files {name} ({detail}).",
    ),
    "overlapping_entries": (
        "Dos archivos del ZIP comparten los mismos bytes ({name}): el ZIP se puede leer de "
        "dos maneras.",
        "Two files in the ZIP share the same bytes ({name}): the ZIP can be read two ways.",
    ),
    "zip64": (
        "El ZIP usa registros ZIP64 {name}; un paquete de Cartilla nunca los usa y podrían "
        "decir otra cosa que los registros normales.",
        "The ZIP uses ZIP64 records {name}; a Cartilla bundle never uses them and they could "
        "say something other than the classic records.",
    ),
    "local_header_mismatch": (
        "El encabezado del archivo {name} dentro del ZIP no dice lo mismo que el índice del "
        "ZIP (nombre, tamaño o método).",
        "The header of the file {name} inside the ZIP does not say the same as the ZIP's index "
        "(name, size or method).",
    ),
    "name_not_utf8": (
        "El ZIP contiene un nombre de archivo que no es texto UTF-8: {name}.",
        "The ZIP contains a file name that is not UTF-8 text: {name}.",
    ),
    "confusing_name": (
        "El ZIP contiene un nombre de archivo que se puede confundir con otro (caracteres "
        "invisibles, de dirección del texto, otros alfabetos, o punto o espacio al final): "
        "{name}.",
        "The ZIP contains a file name that can be mistaken for another (invisible or "
        "text-direction characters, other scripts, or a trailing dot or space): {name}.",
    ),
    "too_many_files": (
        "El ZIP tiene demasiados archivos ({detail}).",
        "The ZIP has too many files ({detail}).",
    ),
    "file_too_big": (
        "El archivo {name} es demasiado grande ({detail}).",
        "The file {name} is too big ({detail}).",
    ),
    "total_too_big": (
        "El contenido del ZIP, descomprimido, es demasiado grande ({detail}).",
        "The ZIP's content, uncompressed, is too big ({detail}).",
    ),
    "zip_bomb": (
        "El archivo {name} se expande de forma sospechosa ({detail}); no se abrió.",
        "The file {name} expands suspiciously ({detail}); it was not opened.",
    ),
    "unsafe_name": (
        "El ZIP contiene un nombre de archivo peligroso: {name}.",
        "The ZIP contains a dangerous file name: {name}.",
    ),
    "duplicate_name": (
        "El ZIP contiene dos archivos con el mismo nombre (sin distinguir mayúsculas y "
        "minúsculas): {name}.",
        "The ZIP contains two files with the same name (ignoring upper and lower case): {name}.",
    ),
    "unsupported_entry": (
        "El ZIP contiene algo que un paquete de Cartilla no lleva: {name} ({detail}).",
        "The ZIP contains something a Cartilla bundle never has: {name} ({detail}).",
    ),
    "no_single_folder": (
        "El ZIP debe tener una sola carpeta principal (la bolsa BagIt).",
        "The ZIP must have a single top folder (the BagIt bag).",
    ),
    "missing_file": (
        "Falta el archivo {name}.",
        "The file {name} is missing.",
    ),
    "bad_bagit": (
        "El archivo {name} no sigue el formato BagIt: {detail}.",
        "The file {name} does not follow the BagIt format: {detail}.",
    ),
    "hash_mismatch": (
        "El archivo {name} fue cambiado: su huella SHA-256 no coincide con el manifiesto.",
        "The file {name} was changed: its SHA-256 fingerprint does not match the manifest.",
    ),
    "not_in_manifest": (
        "El archivo {name} no está en el manifiesto (se agregó después).",
        "The file {name} is not in the manifest (it was added afterwards).",
    ),
    "listed_missing": (
        "El manifiesto menciona {name}, pero no está en el ZIP.",
        "The manifest lists {name}, but it is not in the ZIP.",
    ),
    "bad_schema": (
        "El archivo {name} no tiene el formato esperado: {detail}.",
        "The file {name} does not have the expected format: {detail}.",
    ),
    "bad_public_key": (
        "La llave pública del paquete no se puede leer ({detail}).",
        "The bundle's public key cannot be read ({detail}).",
    ),
    "weak_public_key": (
        "La llave pública del paquete es una llave débil que no prueba nada ({detail}): con "
        "ella una firma puede valer para cualquier manifiesto.",
        "The bundle's public key is a weak key that proves nothing ({detail}): with it a "
        "signature can be valid for any manifest.",
    ),
    "weak_signature": (
        "La firma del manifiesto no está en su forma única ({detail}); una firma así se "
        "puede fabricar o alterar.",
        "The manifest signature is not in its one canonical form ({detail}); such a signature "
        "can be made up or altered.",
    ),
    "signature_invalid": (
        "La firma del manifiesto no es válida: el manifiesto cambió o la firma es de otra llave.",
        "The manifest signature is not valid: the manifest changed or the signature is from "
        "another key.",
    ),
    "key_mismatch": (
        "La huella de la llave en bag-info.txt no coincide con la llave pública incluida.",
        "The key fingerprint in bag-info.txt does not match the included public key.",
    ),
    "bundle_version_old": (
        "Este paquete se hizo con una versión anterior de Cartilla ({detail}), cuya firma no "
        "cubría todos los archivos. Pida a la persona que haga un paquete nuevo con la "
        "aplicación actualizada.",
        "This bundle was made by an earlier version of Cartilla ({detail}), whose signature "
        "did not cover every file. Ask the person to make a new bundle with the updated app.",
    ),
    "bundle_version_unknown": (
        "Este paquete dice ser de una versión de Cartilla que este verificador no conoce "
        "({detail}); actualice el verificador.",
        "This bundle says it is from a Cartilla version this verifier does not know "
        "({detail}); update the verifier.",
    ),
    "key_not_in_chain": (
        "La llave que firmó el paquete ({name}) no es la que el registro del teléfono anotó "
        "por última vez: el paquete pudo firmarse de nuevo con otra llave.",
        "The key that signed the bundle ({name}) is not the one the phone's log recorded "
        "last: the bundle may have been signed again with another key.",
    ),
    "key_changed_after_receipt": (
        "La llave que firmó el paquete ({name}) se anotó en el registro después del último "
        "recibo de tiempo, y reemplaza otra llave que un recibo ya confirmaba: el registro "
        "pudo cambiarse y firmarse de nuevo.",
        "The key that signed the bundle ({name}) was recorded in the log after the last time "
        "receipt, replacing a key a receipt already confirmed: the log may have been changed "
        "and signed again.",
    ),
    "chain_edited": (
        "La entrada {name} del registro fue cambiada: su huella no coincide con su contenido.",
        "Log entry {name} was changed: its fingerprint does not match its content.",
    ),
    "chain_broken": (
        "La cadena del registro está rota en la entrada {name}: no sigue a la anterior "
        "(entradas quitadas o reordenadas).",
        "The log chain is broken at entry {name}: it does not follow the previous one "
        "(entries removed or reordered).",
    ),
    "chain_head_mismatch": (
        "La última huella de la cadena no coincide con la anotada en {name}.",
        "The last fingerprint of the chain does not match the one written in {name}.",
    ),
    "json_duplicate_key": (
        "El archivo {name} tiene una clave repetida en un objeto JSON ({detail}): cada "
        "programa podría leer un valor distinto.",
        "The file {name} repeats a key in a JSON object ({detail}): each program could read a "
        "different value.",
    ),
    "json_too_deep": (
        "El archivo {name} tiene JSON anidado a demasiada profundidad ({detail}).",
        "The file {name} has JSON nested too deeply ({detail}).",
    ),
    "json_lone_surrogate": (
        "El archivo {name} tiene texto JSON con un carácter partido (un sustituto UTF-16 "
        "suelto) ({detail}).",
        "The file {name} has JSON text with a broken character (a lone UTF-16 surrogate) "
        "({detail}).",
    ),
    "json_number": (
        "El archivo {name} tiene un número que no es un entero exacto (decimales, exponente, "
        "-0 o demasiado grande) ({detail}); Cartilla solo guarda enteros (centavos, minutos).",
        "The file {name} has a number that is not an exact integer (a fraction, an exponent, "
        "-0 or too large) ({detail}); Cartilla only stores integers (cents, minutes).",
    ),
    "verifier_error": (
        "La comprobación no pudo terminar con este archivo ({detail}); el paquete no se da por "
        "verificado.",
        "The check could not finish on this file ({detail}); the bundle is not taken as verified.",
    ),
    "receipt_forged": (
        "El recibo de tiempo {name} no es auténtico: la firma del servidor no es válida.",
        "Time receipt {name} is not genuine: the server's signature is not valid.",
    ),
    "receipt_unknown_key": (
        "El recibo de tiempo {name} está firmado con una llave que no es la del servidor de "
        "Cartilla.",
        "Time receipt {name} is signed with a key that is not the Cartilla server's.",
    ),
    "receipt_not_in_chain": (
        "El recibo de tiempo {name} es para una huella que no está en la cadena del registro.",
        "Time receipt {name} is for a fingerprint that is not in the log chain.",
    ),
    "photo_missing": (
        "Falta la foto {name} que el manifiesto o el registro mencionan.",
        "The photo {name} named by the manifest or the log is missing.",
    ),
    "photo_changed": (
        "La foto {name} no es la que el registro guardó: su huella es otra.",
        "The photo {name} is not the one the log recorded: its fingerprint differs.",
    ),
    "photo_unrecorded": (
        "El archivo {name} está entre las fotos, pero ninguna entrada del registro lo anotó.",
        "The file {name} is among the photos, but no log entry recorded it.",
    ),
    "photo_type_mismatch": (
        "El archivo {name} no es la imagen que su nombre dice ({detail}).",
        "The file {name} is not the image its name says ({detail}).",
    ),
    "photo_too_large": (
        "La foto {name} es demasiado grande para abrirla sin riesgo ({detail}); no se abrió. "
        "Una foto de Cartilla se achica en el teléfono.",
        "The photo {name} is too large to open safely ({detail}); it was not opened. A "
        "Cartilla photo is shrunk on the phone.",
    ),
    "no_data": (
        "Entradas del registro {name}: crean o cambian un registro, pero no lo traen.",
        "Log entries {name}: they create or change a record but do not carry it.",
    ),
    "record_mismatch": (
        "Entradas del registro {name}: no nombran bien su registro (tipo o id distintos, o un "
        "borrado sin tipo o id, o con datos).",
        "Log entries {name}: they do not name their record correctly (a different type or id, "
        "or a delete without a type or id, or with data).",
    ),
    "no_reason": (
        "Entradas del registro {name}: cambian o borran algo sin decir por qué.",
        "Log entries {name}: they change or delete something without saying why.",
    ),
    "replaces_unknown": (
        "Entradas del registro {name}: no dicen qué versión anterior del mismo registro "
        "reemplazan.",
        "Log entries {name}: they do not name the earlier version of the same record they replace.",
    ),
    "replaces_not_latest": (
        "Entradas del registro {name}: reemplazan una versión que ya había sido reemplazada "
        "(el historial del registro se bifurca).",
        "Log entries {name}: they replace a version that had already been replaced (the "
        "record's history forks).",
    ),
    "no_receipt": (
        "Entradas del registro {name}: son recibos de tiempo, pero no traen el recibo.",
        "Log entries {name}: they are time receipts but do not carry the receipt.",
    ),
    "no_key": (
        "Entradas del registro {name}: no nombran bien la llave del teléfono (una entrada de "
        "llave sin llave, u otra entrada con llave).",
        "Log entries {name}: they do not name the phone's key correctly (a key entry without "
        "a key, or another entry with one).",
    ),
    "duplicate_id": (
        "Entradas del registro {name}: crean un registro con el id de otro que todavía existe.",
        "Log entries {name}: they create a record with the id of another one that still exists.",
    ),
    "time_invalid": (
        "Entradas del registro {name}: su hora no es una fecha real.",
        "Log entries {name}: their time is not a real date.",
    ),
    "time_backwards": (
        "Entradas del registro {name}: su hora es anterior a la de la entrada de antes (por "
        "más de 5 minutos); el reloj del teléfono cambió o el registro se alteró.",
        "Log entries {name}: their time is earlier than the entry before them (by more than "
        "5 minutes); the phone's clock changed or the log was altered.",
    ),
    "time_after_bundle": (
        "Entradas del registro {name}: su hora es posterior a la creación del paquete (por "
        "más de 5 minutos).",
        "Log entries {name}: their time is later than when the bundle was made (by more than "
        "5 minutes).",
    ),
    "time_after_receipt": (
        "Entradas del registro {name}: su hora es posterior a la de un recibo del servidor que "
        "prueba que ya existían (por más de 5 minutos), así que esa hora no es cierta.",
        "Log entries {name}: their time is later than a server receipt that proves they "
        "already existed (by more than 5 minutes), so that time is not true.",
    ),
    "request_too_big": (
        "El paquete enviado es demasiado grande ({detail}).",
        "The bundle sent is too big ({detail}).",
    ),
}


class BundleError(Exception):
    """A bundle could not be read or failed a check; `code` is stable, messages are plain."""

    def __init__(self, code: str, name: str = "", detail: str = "") -> None:
        self.code = code
        self.name = name
        self.detail = detail
        self.es, self.en = message(code, name=name, detail=detail)
        super().__init__(f"{code}: {self.en}")

    def as_json(self) -> dict[str, object]:
        """The error as the API and `cartilla verify --json` show it."""
        return {"code": self.code, "file": self.name, "message": {"es": self.es, "en": self.en}}


def message(code: str, name: str = "", detail: str = "") -> tuple[str, str]:
    """The Spanish and English text for `code`, with the file name and detail filled in."""
    es, en = MESSAGES[code]
    return es.format(name=name, detail=detail), en.format(name=name, detail=detail)


#: What each check looks at, for people reading a report.
CHECK_LABELS: Final[dict[str, tuple[str, str]]] = {
    "zip": ("Archivo ZIP (leído con límites)", "ZIP file (read within limits)"),
    "bag": ("Estructura BagIt", "BagIt structure"),
    "payload": ("Huellas de cada archivo", "Fingerprint of every file"),
    "tags": ("Manifiesto de etiquetas", "Tag manifest"),
    "signature": ("Firma del manifiesto", "Manifest signature"),
    "schema": ("Formato de los datos", "Data format"),
    "chain": ("Cadena del registro", "Log chain"),
    "rules": ("Reglas del registro y horas", "Log rules and times"),
    "receipts": ("Recibos de tiempo del servidor", "Server time receipts"),
    "photos": ("Fotos", "Photos"),
}
