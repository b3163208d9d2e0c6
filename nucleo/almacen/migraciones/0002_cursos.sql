-- Capacitación: sesiones de los cursos (el catálogo vive en contenido/cursos.yaml),
-- inscripciones con lista de espera, recordatorios, encuestas y la cola de envíos masivos.

ALTER TABLE personas ADD COLUMN recordatorios_activos INTEGER NOT NULL DEFAULT 1;
ALTER TABLE personas ADD COLUMN inalcanzable_desde TEXT;

CREATE TABLE sesiones (
    id                 INTEGER PRIMARY KEY,
    curso_id           TEXT NOT NULL,
    inicio             TEXT NOT NULL,               -- UTC, ISO 8601
    duracion_min       INTEGER NOT NULL CHECK (duracion_min > 0),
    modalidad          TEXT NOT NULL CHECK (modalidad IN ('presencial', 'en_linea')),
    municipio_clave    TEXT,
    lugar              TEXT,
    direccion          TEXT,
    mapa_url           TEXT,
    enlace             TEXT,
    cupo               INTEGER NOT NULL CHECK (cupo > 0),
    estado             TEXT NOT NULL DEFAULT 'programada'
                       CHECK (estado IN ('programada', 'cancelada')),
    codigo_asistencia  TEXT NOT NULL,
    creada_en          TEXT NOT NULL,
    actualizada_en     TEXT NOT NULL
);
CREATE INDEX sesiones_por_inicio ON sesiones (estado, inicio);
CREATE INDEX sesiones_por_curso ON sesiones (curso_id, inicio);

-- El id da el orden de llegada (también en la lista de espera).
CREATE TABLE inscripciones (
    id              INTEGER PRIMARY KEY,
    sesion_id       INTEGER NOT NULL REFERENCES sesiones ON DELETE CASCADE,
    telegram_id     INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    estado          TEXT NOT NULL CHECK (estado IN ('inscrita', 'espera', 'cancelada')),
    confirmo        INTEGER,                        -- 1: «asistiré»
    asistio         INTEGER,                        -- NULL: sin registrar; 1 o 0
    creada_en       TEXT NOT NULL,
    actualizada_en  TEXT NOT NULL
);
CREATE UNIQUE INDEX inscripcion_activa ON inscripciones (sesion_id, telegram_id)
    WHERE estado != 'cancelada';
CREATE INDEX inscripciones_por_sesion ON inscripciones (sesion_id, estado, id);
CREATE INDEX inscripciones_por_persona ON inscripciones (telegram_id, estado);

CREATE TABLE recordatorios (
    id              INTEGER PRIMARY KEY,
    inscripcion_id  INTEGER NOT NULL REFERENCES inscripciones ON DELETE CASCADE,
    antelacion_min  INTEGER NOT NULL,
    debido_en       TEXT NOT NULL,                  -- UTC, ya movido fuera de horas de silencio
    estado          TEXT NOT NULL DEFAULT 'pendiente'
                    CHECK (estado IN ('pendiente', 'encolado', 'descartado')),
    UNIQUE (inscripcion_id, antelacion_min)
);
CREATE INDEX recordatorios_pendientes ON recordatorios (debido_en) WHERE estado = 'pendiente';

CREATE TABLE encuestas (
    inscripcion_id  INTEGER PRIMARY KEY REFERENCES inscripciones ON DELETE CASCADE,
    puntuacion      INTEGER CHECK (puntuacion BETWEEN 1 AND 5),
    comentario      TEXT,
    respondida_en   TEXT NOT NULL
);

-- La cola de envíos masivos (recordatorios, avisos, anuncios): la única vía para mandar en
-- bloque. `clave` es única: encolar dos veces lo mismo no lo manda dos veces.
CREATE TABLE envios (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    clave        TEXT NOT NULL UNIQUE,
    texto        TEXT NOT NULL,
    botones      TEXT,                               -- JSON: [[[texto, callback_data], ...], ...]
    prioridad    INTEGER NOT NULL DEFAULT 5,         -- 0 lo más urgente
    estado       TEXT NOT NULL DEFAULT 'pendiente'
                 CHECK (estado IN ('pendiente', 'enviando', 'enviado', 'fallido',
                                   'inalcanzable', 'incierto')),
    intentos     INTEGER NOT NULL DEFAULT 0,
    creado_en    TEXT NOT NULL,
    enviado_en   TEXT,
    message_id   INTEGER,
    error        TEXT
);
CREATE INDEX envios_pendientes ON envios (prioridad, id) WHERE estado = 'pendiente';
