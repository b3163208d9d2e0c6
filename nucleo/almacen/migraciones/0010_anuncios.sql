-- Anuncios del personal (/anuncio, /anuncios) y quien no quiere recibirlos (/silenciar).
--
-- Un anuncio se reparte por la única vía en bloque (tabla `envios`): una fila por persona, escrita
-- de un jalón ANTES de que salga el primer mensaje. Las filas de un anuncio llevan su
-- `anuncio_id`; si el anuncio trae foto o documento, su `file_id` va en `medio_id`.
--
-- Estados nuevos de un envío: `retenido` (el personal pausó su anuncio: no sale hasta que lo
-- reanude) y `cancelado` (el personal lo canceló: no sale nunca). SQLite no cambia un CHECK en
-- su lugar: la tabla se rehace y se copian las filas tal cual (como en 0004), con sus índices.

ALTER TABLE personas ADD COLUMN silenciado_desde TEXT;      -- UTC ISO; NULL: recibe anuncios

CREATE TABLE anuncios (
    id                   INTEGER PRIMARY KEY,
    autor_id             INTEGER,                -- quien lo escribió (personal); sin FK: puede irse
    texto                TEXT NOT NULL,          -- HTML de Telegram, tal como se verá
    medio_tipo           TEXT CHECK (medio_tipo IN ('foto', 'documento')),
    medio_id             TEXT,                   -- file_id de Telegram
    audiencia            TEXT NOT NULL,          -- JSON: a quién va (ver nucleo/anuncios.py)
    estado               TEXT NOT NULL DEFAULT 'programado'
                         CHECK (estado IN ('programado', 'enviando', 'pausado', 'cancelado',
                                           'terminado')),
    programado_para      TEXT,                   -- UTC ISO; NULL: en cuanto se confirmó
    creado_en            TEXT NOT NULL,
    actualizado_en       TEXT NOT NULL,
    iniciado_en          TEXT,                   -- cuando se escribieron sus filas en `envios`
    terminado_en         TEXT,
    destinatarios        INTEGER,                -- filas escritas al iniciar
    progreso_chat_id     INTEGER,                -- el mensaje de avance que se edita en su lugar
    progreso_message_id  INTEGER,
    CHECK ((medio_tipo IS NULL) = (medio_id IS NULL))
);
CREATE INDEX anuncios_por_estado ON anuncios (estado, programado_para);

CREATE TABLE envios_nueva (
    id           INTEGER PRIMARY KEY,
    telegram_id  INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    clave        TEXT NOT NULL UNIQUE,
    texto        TEXT NOT NULL,
    botones      TEXT,                               -- JSON: [[[texto, callback_data], ...], ...]
    prioridad    INTEGER NOT NULL DEFAULT 5,         -- 0 lo más urgente
    estado       TEXT NOT NULL DEFAULT 'pendiente'
                 CHECK (estado IN ('pendiente', 'enviando', 'enviado', 'fallido',
                                   'inalcanzable', 'incierto', 'vencido', 'retenido',
                                   'cancelado')),
    intentos     INTEGER NOT NULL DEFAULT 0,
    creado_en    TEXT NOT NULL,
    enviado_en   TEXT,
    message_id   INTEGER,
    error        TEXT,
    vence_en     TEXT,                               -- UTC ISO; NULL: no vence
    anuncio_id   INTEGER REFERENCES anuncios ON DELETE SET NULL,
    medio_tipo   TEXT CHECK (medio_tipo IN ('foto', 'documento')),
    medio_id     TEXT
);

INSERT INTO envios_nueva (id, telegram_id, clave, texto, botones, prioridad, estado, intentos,
                          creado_en, enviado_en, message_id, error, vence_en)
    SELECT id, telegram_id, clave, texto, botones, prioridad, estado, intentos, creado_en,
           enviado_en, message_id, error, vence_en FROM envios;

DROP TABLE envios;
ALTER TABLE envios_nueva RENAME TO envios;

CREATE INDEX envios_pendientes ON envios (prioridad, id) WHERE estado = 'pendiente';
CREATE INDEX envios_por_vencer ON envios (vence_en)
    WHERE estado = 'pendiente' AND vence_en IS NOT NULL;
CREATE INDEX envios_por_enviado ON envios (enviado_en);
CREATE INDEX envios_enviando ON envios (id) WHERE estado = 'enviando';
CREATE INDEX envios_por_persona ON envios (telegram_id);
-- Las cuentas de un anuncio (enviados, fallidos, pendientes...) y pausar o cancelar sus filas.
CREATE INDEX envios_por_anuncio ON envios (anuncio_id, estado) WHERE anuncio_id IS NOT NULL;
