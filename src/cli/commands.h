/* commands.h - the commands of the ewdiag program. Each takes its own
 * argv (argv[0] is its name) and returns the exit status. */
#ifndef EWDIAG_CLI_COMMANDS_H
#define EWDIAG_CLI_COMMANDS_H

/* ewdiag [OPTION]... INPUT...: analyze and report (analyze.c). */
int cmd_analyze(int argc, char **argv);

/* ewdiag serve [OPTION]...: analyze uploads over HTTP (src/serve/). */
int cmd_serve(int argc, char **argv);
/* ewdiag queue init|submit|status|results: the work queue and the results
 * on PostgreSQL (src/queue/cmd_queue.c). */
int cmd_queue(int argc, char **argv);
/* ewdiag worker: takes the queue's jobs (src/queue/cmd_worker.c). */
int cmd_worker(int argc, char **argv);

#endif
