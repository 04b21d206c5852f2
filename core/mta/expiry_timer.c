/* expiry_timer - the systemd timer or cron.d entry that expires throttles; see expiry_timer.h */
#include "core/mta/expiry_timer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* system_root - MQMON_SYSTEM_ROOT when set and absolute, else "" (the real /) */
static const char *system_root(void)
{
	const char *r = getenv("MQMON_SYSTEM_ROOT");

	return r != NULL && r[0] == '/' ? r : "";
}

/* is_dir - true when path is a directory */
static int is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* job_safe - true when s may stand unquoted in a systemd ExecStart or a cron line */
static int job_safe(const char *s)
{
	if (s[0] != '/')
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
		      || strchr("/._+@-", *s)))
			return 0;
	return 1;
}

/* unit_name - mqmon-expire-<dir as letters, digits and '_'>-<FNV-1a hash of dir> into buf */
static void unit_name(const char *dir, char *buf, size_t bufsz)
{
	uint32_t h = 2166136261u;
	char slug[64];
	size_t n = 0;
	const char *p;

	for (p = dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (p = dir; *p == '/'; p++)
		;
	for (; *p && n + 1 < sizeof slug; p++)
		slug[n++] = ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
			? *p : '_';
	slug[n] = '\0';
	snprintf(buf, bufsz, "mqmon-expire-%s-%08x", n ? slug : "root", (unsigned)h);
}

/* expiry_plan_make - the plan for the instance at config_dir; -1 with why */
int expiry_plan_make(const char *config_dir, const char *exe, const char *db, struct expiry_plan *p,
		     struct why *why)
{
	const char *root = system_root();
	char self[PATH_MAX], dir[PATH_MAX + 64];
	ssize_t n;

	memset(p, 0, sizeof *p);
	if (exe == NULL) {
		if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) < 0)
			return why_errno(why, "cannot tell where this mqmon program is (/proc/self/exe)");
		self[n] = '\0';
		exe = self;
	}
	if (!job_safe(exe))
		return why_set(why, "the program path %.200s has characters a systemd or cron job line cannot "
			       "take unquoted (only letters, digits and /._+@-)", exe);
	if (!job_safe(config_dir))
		return why_set(why, "the configuration directory %.200s has characters a job line cannot take "
			       "unquoted (only letters, digits and /._+@-)", config_dir);
	if (db != NULL && !job_safe(db))
		return why_set(why, "the history path %.200s has characters a job line cannot take unquoted "
			       "(only letters, digits and /._+@-)", db);
	unit_name(config_dir, p->name, sizeof p->name);
	snprintf(p->command, sizeof p->command, "%s -c %s throttles --expire%s%s", exe, config_dir,
		 db ? " --db " : "", db ? db : "");
	p->system_root = root[0] == '\0';
	snprintf(dir, sizeof dir, "%s/run/systemd/system", root);
	if (is_dir(dir)) {
		p->kind = EXPIRY_SYSTEMD;
		p->nfiles = 2;
		snprintf(p->path[0], sizeof p->path[0], "%s/etc/systemd/system/%s.service", root, p->name);
		snprintf(p->path[1], sizeof p->path[1], "%s/etc/systemd/system/%s.timer", root, p->name);
		snprintf(p->text[0], sizeof p->text[0],
			 "# written by `mqmon throttle --setup`: expires mqmon's throttles of the Postfix\n"
			 "# instance at %s without a running mqmon (see %s.timer)\n"
			 "[Unit]\n"
			 "Description=mqmon: expire throttles of the Postfix instance at %s\n"
			 "\n"
			 "[Service]\n"
			 "Type=oneshot\n"
			 "ExecStart=%s\n",
			 config_dir, p->name, config_dir, p->command);
		snprintf(p->text[1], sizeof p->text[1],
			 "# written by `mqmon throttle --setup`: runs %s.service every %d seconds\n"
			 "[Unit]\n"
			 "Description=mqmon: expire throttles of the Postfix instance at %s\n"
			 "\n"
			 "[Timer]\n"
			 "OnCalendar=*-*-* *:*:00/%d\n"
			 "AccuracySec=1s\n"
			 "\n"
			 "[Install]\n"
			 "WantedBy=timers.target\n",
			 p->name, EXPIRY_TIMER_PERIOD, config_dir, EXPIRY_TIMER_PERIOD);
		return 0;
	}
	snprintf(dir, sizeof dir, "%s/etc/cron.d", root);
	if (is_dir(dir)) {
		p->kind = EXPIRY_CRON;
		p->nfiles = 1;
		snprintf(p->path[0], sizeof p->path[0], "%s/etc/cron.d/%s", root, p->name);
		snprintf(p->text[0], sizeof p->text[0],
			 "# written by `mqmon throttle --setup`: expires mqmon's throttles of the Postfix\n"
			 "# instance at %s every minute, without a running mqmon\n"
			 "SHELL=/bin/sh\n"
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
			 "* * * * * root %s >/dev/null\n",
			 config_dir, p->command);
		return 0;
	}
	p->kind = EXPIRY_NONE;
	return 0;
}

/* same_text - true when path holds exactly text */
static int same_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	char *buf;
	FILE *fp = fopen(path, "r");
	int same;

	if (fp == NULL)
		return 0;
	if ((buf = malloc(len + 2)) == NULL) {
		fclose(fp);
		return 0;
	}
	same = fread(buf, 1, len + 1, fp) == len && memcmp(buf, text, len) == 0;
	free(buf);
	fclose(fp);
	return same;
}

/* expiry_plan_installed - true when every file of the plan exists with the plan's text */
int expiry_plan_installed(const struct expiry_plan *p)
{
	int i;

	if (p->kind == EXPIRY_NONE)
		return 0;
	for (i = 0; i < p->nfiles; i++)
		if (!same_text(p->path[i], p->text[i]))
			return 0;
	return 1;
}

/* write_file - text into path through path.tmp and rename, mode 0644; -1 with why */
static int write_file(const char *path, const char *text, struct why *why)
{
	char tmp[PATH_MAX + 128];
	size_t len = strlen(text);
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0)
		return why_errno(why, "cannot write %s", tmp);
	if (fchmod(fd, 0644) < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		why_errno(why, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		why_errno(why, "cannot write %s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* expiry_plan_write - write the plan's files; -1 with why */
int expiry_plan_write(const struct expiry_plan *p, struct why *why)
{
	int i;

	for (i = 0; i < p->nfiles; i++)
		if (write_file(p->path[i], p->text[i], why) < 0)
			return -1;
	return 0;
}
