-- Roles del personal dados desde Telegram (/roles) y la bitácora de lo que hace el personal.
-- Los ids de la configuración (COOPERA_PERSONAL, COOPERA_ADMINISTRACION) no se guardan aquí.
CREATE TABLE roles (
    telegram_id  INTEGER PRIMARY KEY,
    rol          TEXT NOT NULL CHECK (rol IN ('personal', 'administracion')),
    dado_por     INTEGER NOT NULL,
    dado_en      TEXT NOT NULL
);

CREATE TABLE auditoria (
    id        INTEGER PRIMARY KEY,
    momento   TEXT NOT NULL,                 -- UTC, ISO 8601
    quien     INTEGER,                       -- NULL: desde el servidor (línea de comandos)
    accion    TEXT NOT NULL,
    objeto    TEXT NOT NULL DEFAULT '',
    detalle   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX auditoria_por_momento ON auditoria (id DESC);
