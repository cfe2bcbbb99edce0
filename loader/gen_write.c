/* gen_write.c — writes every output file of a generated model, on a few threads */
#include "gen_write.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "gen_ctf.h"
#include "gen_extract.h"
#include "gen_ims.h"
#include "gen_names.h"
#include "gen_platform.h"
#include "gen_truth.h"

#define MAX_THREADS 4

typedef enum JobKind { JOB_IMS, JOB_NEW, JOB_OLD, JOB_PLATFORM, JOB_TRUTH, JOB_CTF } JobKind;

typedef struct Job {
    JobKind kind;
    uint32_t school; /* JOB_CTF */
    bool ok;
    Error err;
} Job;

typedef struct Queue {
    const GenModel *model;
    const char *dir, *header;
    long *dataOffset;
    Job *jobs;
    uint32_t count, next;
    pthread_mutex_t lock;
} Queue;

static void runJob(Queue *queue, Job *job)
{
    const GenModel *model = queue->model;

    errorClear(&job->err);
    switch (job->kind) {
    case JOB_IMS:
        job->ok = genImsWrite(model, queue->dir, &job->err);
        break;
    case JOB_NEW:
        job->ok = genExtractWrite(model, queue->dir, GEN_SIDE_NEW, &job->err);
        break;
    case JOB_OLD:
        job->ok = genExtractWrite(model, queue->dir, GEN_SIDE_OLD, &job->err);
        break;
    case JOB_PLATFORM:
        job->ok = genPlatformWrite(model, queue->dir, queue->header, queue->dataOffset, &job->err);
        break;
    case JOB_TRUTH:
        job->ok = genTruthWrite(model, queue->dir, &job->err);
        break;
    case JOB_CTF:
        job->ok = genCtfWriteSchool(model, queue->dir, job->school, &job->err);
        break;
    }
}

static void *worker(void *context)
{
    Queue *queue = context;

    for (;;) {
        uint32_t taken;
        pthread_mutex_lock(&queue->lock);
        taken = queue->next < queue->count ? queue->next++ : UINT32_MAX;
        pthread_mutex_unlock(&queue->lock);
        if (taken == UINT32_MAX)
            return NULL;
        runJob(queue, &queue->jobs[taken]);
    }
}

unsigned genWriteDefaultThreads(void)
{
    long online = sysconf(_SC_NPROCESSORS_ONLN);

    return online < 1 ? 1u : online > MAX_THREADS ? MAX_THREADS : (unsigned)online;
}

bool genWriteAll(const GenModel *model, const char *dir, const char *header, unsigned threads,
                 long *dataOffset, Error *err)
{
    /* Biggest first (IMS, the native extracts, then a CTF per school), so the workers finish
     * together. */
    static const JobKind ORDER[] = {JOB_IMS, JOB_NEW, JOB_OLD, JOB_PLATFORM};
    Queue queue = {model, dir, header, dataOffset, NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t workers[MAX_THREADS];
    unsigned started = 0;
    bool ok = true;

    queue.jobs = calloc((size_t)model->schoolCount + 5, sizeof *queue.jobs);
    if (queue.jobs == NULL)
        return errorSet(err, EXIT_INTERNAL, "gen: out of memory");
    for (size_t i = 0; i < sizeof ORDER / sizeof ORDER[0]; i++)
        queue.jobs[queue.count++].kind = ORDER[i];
    for (uint32_t s = 0; s < model->schoolCount; s++) {
        queue.jobs[queue.count].kind = JOB_CTF;
        queue.jobs[queue.count++].school = s;
    }
    queue.jobs[queue.count++].kind = JOB_TRUTH;
    /* The name tables fill themselves on first use: do that before anyone shares them. */
    genNamesPrepare();
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    for (; started + 1 < threads; started++)
        if (pthread_create(&workers[started], NULL, worker, &queue) != 0)
            break;
    worker(&queue);
    for (unsigned i = 0; i < started; i++)
        pthread_join(workers[i], NULL);
    for (uint32_t i = 0; i < queue.count && ok; i++) {
        if (!queue.jobs[i].ok) {
            *err = queue.jobs[i].err;
            ok = false;
        }
    }
    free(queue.jobs);
    return ok;
}
