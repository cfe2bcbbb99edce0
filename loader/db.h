/* db.h — the one libpq wrapper: connect, run statements, COPY; every status checked */
#ifndef MISSWITCH_DB_H
#define MISSWITCH_DB_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct Db Db;
typedef struct DbResult DbResult;

/*
 * Connects with libpq's rules (conninfo string or URI; NULL or "" uses PG* environment) and pins
 * the session: search_path = pg_catalog (every name is schema-qualified), client_encoding UTF8,
 * application_name misswitch. While connections are open, SIGINT cancels their running
 * statements instead of killing the process, and no statement but ROLLBACK starts after it,
 * so an interrupted run rolls back cleanly (a second ^C kills the process the ordinary way).
 */
Db *dbOpen(const char *conninfo, Error *err);
void dbClose(Db *db);

/* The database name the connection reached, for messages. */
const char *dbName(const Db *db);

/* Runs one or more statements without parameters (e.g. a migration file). `what` names the
 * statement in error messages. */
bool dbExec(Db *db, const char *what, const char *sql, Error *err);

/* dbExec in two halves, so that several connections can run statements at the same time: dbSend
 * starts them and returns at once, dbWait waits for them and drains every result (the first
 * failure is the one reported). Nothing else may run on db in between. */
bool dbSend(Db *db, const char *what, const char *sql, Error *err);
bool dbWait(Db *db, const char *what, Error *err);

/* dbWait for a query dbSend started: its rows (the last result that has rows), or NULL and err
 * filled on failure. Free with dbResultFree. */
DbResult *dbWaitQuery(Db *db, const char *what, Error *err);

/* Asks the server to stop what db is running (a query dbSend started that no one will wait
 * for); harmless when it runs nothing. NULL is a no-op. */
void dbCancel(Db *db);

/* Runs one statement with text parameters; returns NULL and fills err on failure. */
DbResult *dbQuery(Db *db, const char *what, const char *sql, int paramCount,
                  const char *const *params, Error *err);

/* Like dbQuery for a statement returning at most one value: copies it into out ("" for NULL or
 * no row); *found (optional) tells whether a non-NULL value came back. */
bool dbQueryValue(Db *db, const char *what, const char *sql, int paramCount,
                  const char *const *params, char *out, size_t size, bool *found, Error *err);

int dbResultRows(const DbResult *result);
int dbResultColumns(const DbResult *result);
const char *dbResultColumnName(const DbResult *result, int column);
/* NULL for an SQL NULL */
const char *dbResultValue(const DbResult *result, int row, int column);
void dbResultFree(DbResult *result);

/* COPY ... FROM STDIN: begin, put buffers (psql's ~64 KiB habit is the caller's), end. A failed
 * put or a non-NULL failure reason ends the COPY with an error; the connection never stays in
 * COPY_IN. */
bool dbCopyInBegin(Db *db, const char *what, const char *sql, Error *err);
bool dbCopyInPut(Db *db, const char *data, size_t length, Error *err);
bool dbCopyInEnd(Db *db, const char *failureReason, Error *err);

/* COPY ... TO STDOUT, handing each row's bytes to sink; sink returning false aborts. */
typedef bool (*DbCopySink)(void *context, const char *data, size_t length, Error *err);
bool dbCopyOut(Db *db, const char *what, const char *sql, DbCopySink sink, void *context,
               Error *err);

/* SQLSTATE of the last failed statement ("" if none). */
const char *dbLastSqlstate(const Db *db);

/*
 * SQLSTATEs raised by misswitch's own SQL functions, mapped to exit codes by this module.
 */
#define DB_SQLSTATE_CHECK_FAILED "MSCHK"
#define DB_SQLSTATE_CONFLICTS "MSCNF"
#define DB_SQLSTATE_REFUSED "MSREF"

#endif
