/* db.c — the one libpq wrapper: connect, run statements, COPY; every status checked */
#include "db.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Db {
    PGconn *conn;
    PGcancel *cancel;
    char sqlstate[6];
};

struct DbResult {
    PGresult *result;
};

/* Open connections, so SIGINT can cancel what they run. Small: misswitch opens one or two, and
 * `load extract` of a native file one per staging table besides. */
#define MAX_OPEN_CONNECTIONS 16
static PGcancel *volatile openCancels[MAX_OPEN_CONNECTIONS];
static struct sigaction previousSigint;
static int openCount;
/* Set by ^C: no statement starts after it, so a run stops at once and rolls back. */
static volatile sig_atomic_t interrupted;

static void onSigint(int signo)
{
    char buffer[256];

    interrupted = 1;
    for (int i = 0; i < MAX_OPEN_CONNECTIONS; i++)
        if (openCancels[i] != NULL)
            PQcancel(openCancels[i], buffer, sizeof buffer); /* async-signal-safe */
    /* A second ^C ends the process the ordinary way. */
    sigaction(SIGINT, &previousSigint, NULL);
    (void)signo;
}

static void trackCancel(PGcancel *cancel, bool add)
{
    for (int i = 0; i < MAX_OPEN_CONNECTIONS; i++) {
        if (add && openCancels[i] == NULL) {
            openCancels[i] = cancel;
            break;
        }
        if (!add && openCancels[i] == cancel) {
            openCancels[i] = NULL;
            break;
        }
    }
    if (add && openCount++ == 0) {
        struct sigaction action = {0};
        action.sa_handler = onSigint;
        sigemptyset(&action.sa_mask);
        sigaction(SIGINT, &action, &previousSigint);
    } else if (!add && --openCount == 0) {
        sigaction(SIGINT, &previousSigint, NULL);
    }
}

/* Fills err from a failed result: message, DETAIL, HINT, and the exit code its SQLSTATE means. */
static bool failFromResult(Db *db, const PGresult *result, const char *what, Error *err)
{
    const char *sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL) : NULL;
    const char *hint = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_HINT) : NULL;
    ExitCode code = EXIT_QUERY;

    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", sqlstate ? sqlstate : "");
    if (PQstatus(db->conn) == CONNECTION_BAD)
        code = EXIT_CONNECTION;
    else if (sqlstate && strcmp(sqlstate, DB_SQLSTATE_CHECK_FAILED) == 0)
        code = EXIT_CHECK_FAILED;
    else if (sqlstate && strcmp(sqlstate, DB_SQLSTATE_CONFLICTS) == 0)
        code = EXIT_CONFLICTS;
    else if (sqlstate && strcmp(sqlstate, DB_SQLSTATE_REFUSED) == 0)
        code = EXIT_REFUSED;

    if (primary == NULL) {
        char message[1024];
        snprintf(message, sizeof message, "%s", PQerrorMessage(db->conn));
        message[strcspn(message, "\n")] = '\0';
        errorSet(err, code, "query failed: %s: %s", what, message);
    } else if (code == EXIT_QUERY || code == EXIT_CONNECTION) {
        errorSet(err, code, "query failed: %s: %s", what, primary);
    } else {
        errorSet(err, code, "%s", primary); /* misswitch's own message, already for people */
    }
    if (detail)
        errorDetail(err, "%s", detail);
    if (hint)
        errorHint(err, "%s", hint);
    return false;
}

Db *dbOpen(const char *conninfo, Error *err)
{
    const char *keywords[] = {"dbname", "fallback_application_name", NULL};
    const char *values[] = {conninfo && conninfo[0] ? conninfo : NULL, "misswitch", NULL};
    Db *db = calloc(1, sizeof *db);

    if (db == NULL) {
        errorSet(err, EXIT_INTERNAL, "out of memory");
        return NULL;
    }
    db->conn = PQconnectdbParams(keywords, values, 1);
    if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
        char message[1024];
        snprintf(message, sizeof message, "%s",
                 db->conn ? PQerrorMessage(db->conn) : "out of memory");
        message[strcspn(message, "\n")] = '\0';
        errorSet(err, EXIT_CONNECTION, "cannot connect to the database: %s", message);
        errorHint(err, "give -d CONNINFO or set PGHOST, PGPORT, PGDATABASE and PGUSER");
        PQfinish(db->conn);
        free(db);
        return NULL;
    }
    if (PQsetClientEncoding(db->conn, "UTF8") != 0) {
        errorSet(err, EXIT_CONNECTION, "cannot set client encoding UTF8");
        dbClose(db);
        return NULL;
    }
    if (!dbExec(db, "pin session settings",
                "SELECT pg_catalog.set_config('search_path', 'pg_catalog', false), "
                "pg_catalog.set_config('application_name', 'misswitch', false)",
                err)) {
        dbClose(db);
        return NULL;
    }
    db->cancel = PQgetCancel(db->conn);
    if (db->cancel)
        trackCancel(db->cancel, true);
    return db;
}

void dbClose(Db *db)
{
    if (db == NULL)
        return;
    if (db->cancel) {
        trackCancel(db->cancel, false);
        PQfreeCancel(db->cancel);
    }
    PQfinish(db->conn);
    free(db);
}

const char *dbName(const Db *db)
{
    return PQdb(db->conn);
}

const char *dbLastSqlstate(const Db *db)
{
    return db->sqlstate;
}

/* Refuses to start a statement after ^C. */
static bool checkInterrupted(const char *what, Error *err)
{
    if (!interrupted)
        return true;
    return errorSet(err, EXIT_QUERY, "interrupted before %s: nothing more was run", what);
}

bool dbExec(Db *db, const char *what, const char *sql, Error *err)
{
    db->sqlstate[0] = '\0';
    /* ROLLBACK must still run after ^C: that is how an interrupted run ends cleanly. */
    if (strcmp(what, "rollback") != 0 && !checkInterrupted(what, err))
        return false;
    if (!PQsendQuery(db->conn, sql))
        return failFromResult(db, NULL, what, err);
    return dbWait(db, what, err);
}

bool dbSend(Db *db, const char *what, const char *sql, Error *err)
{
    db->sqlstate[0] = '\0';
    if (!checkInterrupted(what, err))
        return false;
    if (!PQsendQuery(db->conn, sql))
        return failFromResult(db, NULL, what, err);
    return true;
}

bool dbWait(Db *db, const char *what, Error *err)
{
    bool ok = true;
    PGresult *result;

    while ((result = PQgetResult(db->conn)) != NULL) {
        ExecStatusType status = PQresultStatus(result);
        if (ok && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
            status != PGRES_EMPTY_QUERY) {
            ok = failFromResult(db, result, what, err);
        }
        PQclear(result);
    }
    return ok;
}

/* The DbResult holding rows (taken over: cleared on failure). */
static DbResult *wrapRows(PGresult *rows, Error *err)
{
    DbResult *wrapped = malloc(sizeof *wrapped);

    if (wrapped == NULL) {
        PQclear(rows);
        errorSet(err, EXIT_INTERNAL, "out of memory");
        return NULL;
    }
    wrapped->result = rows;
    return wrapped;
}

void dbCancel(Db *db)
{
    PGcancel *cancel;
    char message[256];

    if (db == NULL || (cancel = PQgetCancel(db->conn)) == NULL)
        return;
    (void)PQcancel(cancel, message, sizeof message);
    PQfreeCancel(cancel);
}

DbResult *dbWaitQuery(Db *db, const char *what, Error *err)
{
    PGresult *result, *rows = NULL;
    bool ok = true;

    while ((result = PQgetResult(db->conn)) != NULL) {
        ExecStatusType status = PQresultStatus(result);
        if (ok && status == PGRES_TUPLES_OK) {
            PQclear(rows);
            rows = result;
            continue;
        }
        if (ok && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY)
            ok = failFromResult(db, result, what, err);
        PQclear(result);
    }
    if (!ok || rows == NULL) {
        PQclear(rows);
        if (ok)
            errorSet(err, EXIT_INTERNAL, "%s: the query returned no rows result", what);
        return NULL;
    }
    return wrapRows(rows, err);
}

DbResult *dbQuery(Db *db, const char *what, const char *sql, int paramCount,
                  const char *const *params, Error *err)
{
    PGresult *result;

    db->sqlstate[0] = '\0';
    if (!checkInterrupted(what, err))
        return NULL;
    result = PQexecParams(db->conn, sql, paramCount, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK && PQresultStatus(result) != PGRES_COMMAND_OK) {
        failFromResult(db, result, what, err);
        PQclear(result);
        return NULL;
    }
    return wrapRows(result, err);
}

bool dbQueryValue(Db *db, const char *what, const char *sql, int paramCount,
                  const char *const *params, char *out, size_t size, bool *found, Error *err)
{
    DbResult *result = dbQuery(db, what, sql, paramCount, params, err);
    const char *value;

    if (result == NULL)
        return false;
    value = dbResultRows(result) > 0 && dbResultColumns(result) > 0 ? dbResultValue(result, 0, 0)
                                                                      : NULL;
    if (size > 0)
        snprintf(out, size, "%s", value ? value : "");
    if (found)
        *found = value != NULL;
    dbResultFree(result);
    return true;
}

int dbResultRows(const DbResult *result)
{
    return PQntuples(result->result);
}

int dbResultColumns(const DbResult *result)
{
    return PQnfields(result->result);
}

const char *dbResultColumnName(const DbResult *result, int column)
{
    return PQfname(result->result, column);
}

const char *dbResultValue(const DbResult *result, int row, int column)
{
    if (PQgetisnull(result->result, row, column))
        return NULL;
    return PQgetvalue(result->result, row, column);
}

void dbResultFree(DbResult *result)
{
    if (result == NULL)
        return;
    PQclear(result->result);
    free(result);
}

bool dbCopyInBegin(Db *db, const char *what, const char *sql, Error *err)
{
    if (!checkInterrupted(what, err))
        return false;
    PGresult *result = PQexec(db->conn, sql);
    bool ok = PQresultStatus(result) == PGRES_COPY_IN;

    if (!ok)
        failFromResult(db, result, what, err);
    PQclear(result);
    return ok;
}

bool dbCopyInPut(Db *db, const char *data, size_t length, Error *err)
{
    if (!checkInterrupted("copy", err))
        return false;
    if (length == 0)
        return true;
    if (PQputCopyData(db->conn, data, (int)length) != 1) {
        errorSet(err, EXIT_CONNECTION, "copy failed: %s", PQerrorMessage(db->conn));
        return false;
    }
    return true;
}

bool dbCopyInEnd(Db *db, const char *failureReason, Error *err)
{
    PGresult *result;
    bool ok = true;

    if (PQputCopyEnd(db->conn, failureReason) != 1) {
        errorSet(err, EXIT_CONNECTION, "copy failed: %s", PQerrorMessage(db->conn));
        ok = false;
    }
    while ((result = PQgetResult(db->conn)) != NULL) {
        if (ok && failureReason == NULL && PQresultStatus(result) != PGRES_COMMAND_OK)
            ok = failFromResult(db, result, "copy", err);
        PQclear(result);
    }
    return ok && failureReason == NULL;
}

bool dbCopyOut(Db *db, const char *what, const char *sql, DbCopySink sink, void *context,
               Error *err)
{
    PGresult *result = PQexec(db->conn, sql);
    bool ok = true;
    char *buffer;
    int length;

    if (PQresultStatus(result) != PGRES_COPY_OUT) {
        failFromResult(db, result, what, err);
        PQclear(result);
        return false;
    }
    PQclear(result);
    while ((length = PQgetCopyData(db->conn, &buffer, 0)) > 0) {
        if (ok)
            ok = sink(context, buffer, (size_t)length, err);
        PQfreemem(buffer);
    }
    /* -1: done; -2: error. Drain the final result either way. */
    while ((result = PQgetResult(db->conn)) != NULL) {
        if (ok && PQresultStatus(result) != PGRES_COMMAND_OK)
            ok = failFromResult(db, result, what, err);
        PQclear(result);
    }
    return ok;
}
