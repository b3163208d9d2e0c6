-- Personal de la Secretaría: lo que está capturando en el bot (una sesión nueva, un cambio de
-- fecha, un dato por corregir). Los pasos de la conversación se guardan en `conversaciones`;
-- aquí van sus respuestas, para que un reinicio del bot a media captura no las pierda.
-- No cuelga de personas: el personal no necesita aceptar el aviso para trabajar, y aquí no
-- hay datos personales, solo los de la sesión que se está capturando.

CREATE TABLE borradores_personal (
    personal_id     INTEGER PRIMARY KEY,
    datos           TEXT NOT NULL,                  -- JSON
    actualizado_en  TEXT NOT NULL
);
