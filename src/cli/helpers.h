/* helpers.h - the commands that are programs of their own (ewdiag-serve,
 * ewdiag-queue), so that their libraries (libmicrohttpd, libpq, libcurl)
 * are not loaded by every run of ewdiag. */
#ifndef EWDIAG_CLI_HELPERS_H
#define EWDIAG_CLI_HELPERS_H

/* Replaces this process with the program `prog` (e.g. "ewdiag-serve"),
 * given argv as is but for argv[0], so that argv[1] still names the
 * command: same PID, descriptors and signals. Looks in $EWDIAG_EXEC_PATH
 * alone when it is set, else in the directory of the running executable,
 * then in the installed libexec directory. Returns only on failure, with
 * the exit status, having said on stderr where it looked and that the
 * command needs `needs` at build time. */
int ew_exec_helper(const char *prog, const char *needs, char **argv);

#endif
