-- Asesoría (/asesoria): lo que una persona habla con una persona asesora de la Secretaría.
-- Solo se guarda con el aviso de privacidad aceptado. Todo cuelga de personas(telegram_id) con
-- ON DELETE CASCADE: borrar a la persona borra su conversación, sus mensajes, la lista de
-- copias que el bot dejó en el Telegram del personal y lo que alguien tenía a medio contestar.

-- Una conversación por persona: el personal la cierra y, si la persona vuelve a escribir, se
-- reabre (con el mismo tema en el grupo del personal).
CREATE TABLE asesorias (
    id               INTEGER PRIMARY KEY,
    telegram_id      INTEGER NOT NULL UNIQUE REFERENCES personas ON DELETE CASCADE,
    estado           TEXT NOT NULL DEFAULT 'nueva'
                     CHECK (estado IN ('nueva', 'atendida', 'cerrada')),
    idioma           TEXT,               -- en qué idioma se le contesta
    nombre_telegram  TEXT,               -- su nombre en Telegram, si no dio otro en su perfil
    abierta_en       TEXT NOT NULL,      -- UTC, ISO 8601: la primera vez
    reabierta_en     TEXT,               -- la última vez que volvió a escribir tras cerrarse
    esperando_desde  TEXT,               -- su mensaje más viejo aún sin respuesta
    atendida_por     INTEGER,            -- quién del personal contestó primero (desde que se
    atendida_en      TEXT,               -- abrió o reabrió) y cuándo
    cerrada_por      INTEGER,
    cerrada_en       TEXT,
    grupo_id         INTEGER,            -- el grupo del personal donde está su tema
    tema_id          INTEGER,            -- message_thread_id del tema
    tema_nombre      TEXT,
    tema_cerrado     INTEGER NOT NULL DEFAULT 0,
    actualizada_en   TEXT NOT NULL
);
CREATE UNIQUE INDEX asesorias_por_tema ON asesorias (grupo_id, tema_id)
    WHERE tema_id IS NOT NULL;
CREATE INDEX asesorias_por_estado ON asesorias (estado, esperando_desde);

-- Cada mensaje, de la persona (personal_id NULL) o del personal. El texto (o el pie de una
-- foto) se guarda; de un archivo, solo su tipo y nombre: el archivo sigue en Telegram y se
-- vuelve a mostrar copiando el original (chat_origen, mensaje_origen).
CREATE TABLE mensajes_asesoria (
    id              INTEGER PRIMARY KEY,
    asesoria_id     INTEGER NOT NULL REFERENCES asesorias ON DELETE CASCADE,
    telegram_id     INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    personal_id     INTEGER,
    tipo            TEXT NOT NULL
                    CHECK (tipo IN ('texto', 'foto', 'documento', 'voz', 'audio', 'video')),
    texto           TEXT,
    archivo         TEXT,
    chat_origen     INTEGER NOT NULL,
    mensaje_origen  INTEGER NOT NULL,
    creado_en       TEXT NOT NULL
);
CREATE INDEX mensajes_asesoria_por_conversacion ON mensajes_asesoria (asesoria_id, id);

-- Los mensajes que el bot dejó en el Telegram del personal con algo de la conversación (las
-- copias en el tema del grupo, el historial y los avisos en /bandeja): al borrar sus datos, la
-- persona pide que el bot intente borrarlos también.
CREATE TABLE copias_asesoria (
    asesoria_id  INTEGER NOT NULL REFERENCES asesorias ON DELETE CASCADE,
    chat_id      INTEGER NOT NULL,
    message_id   INTEGER NOT NULL,
    PRIMARY KEY (chat_id, message_id)
);
CREATE INDEX copias_por_asesoria ON copias_asesoria (asesoria_id);

-- Quién del personal está contestando qué conversación desde /bandeja: un reinicio del bot a
-- media respuesta no la manda a otra persona ni la pierde.
CREATE TABLE respuestas_en_curso (
    personal_id  INTEGER PRIMARY KEY,
    asesoria_id  INTEGER NOT NULL REFERENCES asesorias ON DELETE CASCADE,
    desde        TEXT NOT NULL
);
