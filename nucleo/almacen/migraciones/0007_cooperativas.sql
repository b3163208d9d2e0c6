-- Cooperativas en formación (/cooperativa): el grupo, quiénes son, sus enlaces de invitación,
-- su avance en el camino (contenido/cooperativa.yaml), las evidencias, sus asambleas con sus
-- recordatorios, y lo que el personal anotó al asesorarlas.
--
-- Las filas de una persona cuelgan de personas(telegram_id) con ON DELETE CASCADE (su lugar en
-- un grupo, su asistencia). Lo que la persona hizo para el grupo (marcar un paso, subir una
-- evidencia, convocar una asamblea) se queda con el grupo sin su nombre: ON DELETE SET NULL.
-- Antes de borrar a alguien, el almacén pasa la responsabilidad de sus grupos a otra persona
-- (nucleo/almacen/cooperativas.py: soltar_cooperativas).

CREATE TABLE cooperativas (
    id               INTEGER PRIMARY KEY,
    nombre           TEXT NOT NULL,                 -- el nombre que proponen
    actividad        TEXT NOT NULL,
    clase            TEXT NOT NULL
                     CHECK (clase IN ('consumidores', 'productores', 'ahorro_prestamo')),
    municipio_clave  TEXT NOT NULL,
    vigencia_dias    INTEGER,                       -- de los enlaces nuevos; NULL: no vencen
    creada_en        TEXT NOT NULL,                 -- UTC, ISO 8601
    actualizada_en   TEXT NOT NULL
);
CREATE INDEX cooperativas_por_municipio ON cooperativas (municipio_clave, clase);

-- Una fila por persona en el grupo. Siempre hay exactamente una `responsable`.
CREATE TABLE miembros_cooperativa (
    cooperativa_id   INTEGER NOT NULL REFERENCES cooperativas ON DELETE CASCADE,
    telegram_id      INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    rol              TEXT NOT NULL CHECK (rol IN ('responsable', 'delegada', 'socia')),
    nombre_telegram  TEXT,                          -- si no dio nombre en su perfil
    unida_en         TEXT NOT NULL,
    PRIMARY KEY (cooperativa_id, telegram_id)
);
CREATE INDEX miembros_por_persona ON miembros_cooperativa (telegram_id);
CREATE UNIQUE INDEX una_responsable ON miembros_cooperativa (cooperativa_id)
    WHERE rol = 'responsable';

-- El enlace t.me/<bot>?start=coop_<token>: se guarda solo el SHA-256 del token. Un grupo
-- puede tener varios enlaces vigentes (cada quien comparte el suyo); anular los anula todos.
CREATE TABLE invitaciones_cooperativa (
    id              INTEGER PRIMARY KEY,
    cooperativa_id  INTEGER NOT NULL REFERENCES cooperativas ON DELETE CASCADE,
    hash            TEXT NOT NULL UNIQUE,
    creada_por      INTEGER REFERENCES personas ON DELETE SET NULL,
    creada_en       TEXT NOT NULL,
    vence_en        TEXT,                           -- NULL: no vence
    anulada_en      TEXT
);
CREATE INDEX invitaciones_por_grupo ON invitaciones_cooperativa (cooperativa_id);

-- Un paso del camino (id de contenido/cooperativa.yaml) marcado como hecho y, luego,
-- confirmado por OTRA persona del grupo. Sin fila: pendiente.
CREATE TABLE pasos_cooperativa (
    cooperativa_id  INTEGER NOT NULL REFERENCES cooperativas ON DELETE CASCADE,
    paso_id         TEXT NOT NULL,
    marcado_por     INTEGER REFERENCES personas ON DELETE SET NULL,
    marcado_en      TEXT NOT NULL,
    confirmado_por  INTEGER REFERENCES personas ON DELETE SET NULL,
    confirmado_en   TEXT,
    PRIMARY KEY (cooperativa_id, paso_id)
);

-- Una foto o un documento de un paso: el archivo se queda en Telegram; aquí, su file_id.
CREATE TABLE evidencias_cooperativa (
    id               INTEGER PRIMARY KEY,
    cooperativa_id   INTEGER NOT NULL REFERENCES cooperativas ON DELETE CASCADE,
    paso_id          TEXT NOT NULL,
    subida_por       INTEGER REFERENCES personas ON DELETE SET NULL,
    tipo             TEXT NOT NULL CHECK (tipo IN ('foto', 'documento')),
    file_id          TEXT NOT NULL,
    file_unique_id   TEXT NOT NULL,
    nombre_archivo   TEXT,
    mime             TEXT,
    tamano           INTEGER,
    subida_en        TEXT NOT NULL
);
CREATE INDEX evidencias_por_paso ON evidencias_cooperativa (cooperativa_id, paso_id);

CREATE TABLE asambleas (
    id              INTEGER PRIMARY KEY,
    cooperativa_id  INTEGER NOT NULL REFERENCES cooperativas ON DELETE CASCADE,
    inicio          TEXT NOT NULL,                  -- UTC, ISO 8601
    lugar           TEXT NOT NULL,                  -- dirección o enlace
    orden_del_dia   TEXT NOT NULL,
    estado          TEXT NOT NULL DEFAULT 'programada'
                    CHECK (estado IN ('programada', 'realizada', 'cancelada')),
    acuerdos        TEXT,
    convocada_por   INTEGER REFERENCES personas ON DELETE SET NULL,
    creada_en       TEXT NOT NULL,
    registrada_en   TEXT
);
CREATE INDEX asambleas_por_grupo ON asambleas (cooperativa_id, inicio);

CREATE TABLE asistencias_asamblea (
    asamblea_id  INTEGER NOT NULL REFERENCES asambleas ON DELETE CASCADE,
    telegram_id  INTEGER NOT NULL REFERENCES personas ON DELETE CASCADE,
    confirmo     INTEGER,                           -- 1 irá, 0 no irá, NULL sin contestar
    asistio      INTEGER,                           -- se anota después de la asamblea
    PRIMARY KEY (asamblea_id, telegram_id)
);

-- Como los de las sesiones: uno por asamblea y antelación; al tocar, sale a cada miembro.
CREATE TABLE recordatorios_asamblea (
    id              INTEGER PRIMARY KEY,
    asamblea_id     INTEGER NOT NULL REFERENCES asambleas ON DELETE CASCADE,
    antelacion_min  INTEGER NOT NULL,
    debido_en       TEXT NOT NULL,                  -- UTC, ya fuera de horas de silencio
    estado          TEXT NOT NULL DEFAULT 'pendiente'
                    CHECK (estado IN ('pendiente', 'encolado', 'descartado')),
    UNIQUE (asamblea_id, antelacion_min)
);
CREATE INDEX recordatorios_asamblea_pendientes ON recordatorios_asamblea (debido_en)
    WHERE estado = 'pendiente';

-- El personal anota que una persona asesora atendió al grupo y qué se acordó.
CREATE TABLE asesorias_cooperativa (
    id              INTEGER PRIMARY KEY,
    cooperativa_id  INTEGER NOT NULL REFERENCES cooperativas ON DELETE CASCADE,
    personal_id     INTEGER NOT NULL,
    acuerdos        TEXT NOT NULL,
    anotada_en      TEXT NOT NULL
);
CREATE INDEX asesorias_por_grupo ON asesorias_cooperativa (cooperativa_id);
