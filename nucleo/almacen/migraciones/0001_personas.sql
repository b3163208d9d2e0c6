-- Personas, su consentimiento, su perfil, su orientación y el estado de las conversaciones.
-- Todo lo de una persona cuelga de personas(telegram_id) con ON DELETE CASCADE:
-- borrar su fila borra todo lo demás (derechos ARCO).

CREATE TABLE personas (
    telegram_id     INTEGER PRIMARY KEY,
    consentimiento  TEXT NOT NULL CHECK (consentimiento IN ('aceptado', 'rechazado')),
    version_aviso   TEXT NOT NULL,
    decidido_en     TEXT NOT NULL,
    idioma          TEXT
);

CREATE TABLE perfiles (
    telegram_id      INTEGER PRIMARY KEY REFERENCES personas ON DELETE CASCADE,
    nombre           TEXT,
    municipio_clave  TEXT,
    sexo             TEXT,
    rango_edad       TEXT,
    discapacidad     TEXT,
    lengua_indigena  TEXT,
    completo         INTEGER NOT NULL DEFAULT 0,
    actualizado_en   TEXT NOT NULL
);

CREATE TABLE orientaciones (
    id             INTEGER PRIMARY KEY,
    telegram_id    INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    resultado      TEXT NOT NULL,
    respuestas     TEXT NOT NULL,
    completada_en  TEXT NOT NULL
);
CREATE INDEX orientaciones_persona ON orientaciones (telegram_id);

-- La orientación a medias: preguntas ya pasadas (para "atrás") y respuestas.
CREATE TABLE orientaciones_en_curso (
    telegram_id  INTEGER PRIMARY KEY REFERENCES personas ON DELETE CASCADE,
    historial    TEXT NOT NULL,
    respuestas   TEXT NOT NULL,
    actualizado_en TEXT NOT NULL
);

-- Estado de los ConversationHandler de PTB (persistencia propia, sin pickle).
-- usuario_id permite borrar el estado de una persona sin leer las claves.
CREATE TABLE conversaciones (
    nombre      TEXT NOT NULL,
    clave       TEXT NOT NULL,
    usuario_id  INTEGER,
    estado      TEXT NOT NULL,
    PRIMARY KEY (nombre, clave)
);
CREATE INDEX conversaciones_usuario ON conversaciones (usuario_id);
