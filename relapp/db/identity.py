"""How a file says it is Relapp's database: SQLite's application_id header field, 'RLAP'.

An existing SQLite file without it (another program's) is refused, not altered
(relapp.db.connection); a backup or a file offered for restore must carry it."""

APPLICATION_ID = 0x524C4150
