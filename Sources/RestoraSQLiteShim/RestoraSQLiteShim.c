#include "RestoraSQLiteShim.h"

// SQLiteNIO's SQLite, prefixed `sqlite_nio_`; linked into the binary through SQLiteKit.
extern int sqlite_nio_sqlite3_db_config(struct sqlite3 *db, int op, ...);

// sqlite3.h: #define SQLITE_DBCONFIG_ENABLE_QPSG 1007 /* int int* */
#define RESTORA_SQLITE_DBCONFIG_ENABLE_QPSG 1007

int restora_sqlite_enable_qpsg(struct sqlite3 *db) {
    int enabled = -1;
    int status = sqlite_nio_sqlite3_db_config(db, RESTORA_SQLITE_DBCONFIG_ENABLE_QPSG, 1, &enabled);
    return (status == 0 && enabled == 1) ? 0 : 1;
}

int restora_sqlite_qpsg_enabled(struct sqlite3 *db) {
    int enabled = -1;
    if (sqlite_nio_sqlite3_db_config(db, RESTORA_SQLITE_DBCONFIG_ENABLE_QPSG, -1, &enabled) != 0) return -1;
    return enabled;
}
