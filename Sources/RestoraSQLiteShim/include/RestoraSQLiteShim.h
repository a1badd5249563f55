#ifndef RESTORA_SQLITE_SHIM_H
#define RESTORA_SQLITE_SHIM_H

/// The connection type of SQLiteNIO's bundled SQLite (`sqlite_nio_sqlite3`), opaque here.
struct sqlite3;

/// Turns on the query planner stability guarantee (SQLITE_DBCONFIG_ENABLE_QPSG) of one connection: a prepared
/// statement keeps the plan it was prepared with whatever values are bound to it, instead of being parsed and
/// planned again at its next step whenever a new value is bound to a parameter the planner looked at. Returns
/// 0 when the option is on. (`sqlite3_db_config` is a C variadic function, which Swift cannot call.)
int restora_sqlite_enable_qpsg(struct sqlite3 *db);

/// 1 when the connection's query planner stability guarantee is on, 0 when off, -1 when SQLite would not say.
int restora_sqlite_qpsg_enabled(struct sqlite3 *db);

#endif
