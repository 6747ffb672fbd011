/*
 * config.c - the workspace's config in git-config syntax, read once through libgit2's
 * config API into a flat list of (name, value) pairs in file order, so every lookup
 * afterwards is simple and no command writes its own parser.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "smkit.h"

typedef struct {
	char *name, *value;
	int included; /* read from an [include]d file, whose mode we cannot see */
} entry;

struct sm_config {
	entry *e;
	size_t n, cap;
	char *path;
	void **pool; /* answers handed out, freed with the config */
	size_t npool;
};

static int collect(const git_config_entry *ce, void *data)
{
	sm_config *cfg = data;
	if (cfg->n == cfg->cap) {
		cfg->cap = cfg->cap ? cfg->cap * 2 : 32;
		cfg->e = sm_realloc(cfg->e, cfg->cap * sizeof *cfg->e);
	}
	cfg->e[cfg->n].name = sm_strdup(ce->name);
	cfg->e[cfg->n].value = sm_strdup(ce->value ? ce->value : "");
	cfg->e[cfg->n].included = ce->include_depth > 0;
	cfg->n++;
	return 0;
}

static int loose_secret(sm_config *cfg, const char *path)
{
	struct stat st;
	for (size_t i = 0; i < cfg->n; i++) {
		const char *dot = strrchr(cfg->e[i].name, '.');
		if (cfg->e[i].included && dot && !strcmp(dot, ".token"))
			return sm_error_code(SM_EX_CONFIG, "%s: a literal token in an included file "
					     "(%s) is refused: its mode cannot be checked; put it in "
					     "the main config at mode 600, or use token-cmd, token-env "
					     "or token-file", path, cfg->e[i].name);
	}
	if (!sm_config_has_literal_secret(cfg) || stat(path, &st) < 0 || !(st.st_mode & 077))
		return 0;
	return sm_error_code(SM_EX_CONFIG,
			     "%s: holds a literal token and is readable by others; "
			     "run 'chmod 600 %s' or use token-cmd, token-env or token-file",
			     path, path);
}

int sm_config_open(const char *path, sm_config **out)
{
	git_config *gc = NULL;
	struct stat st;

	*out = NULL;
	git_libgit2_init();
	if (stat(path, &st) < 0 || access(path, R_OK) < 0)
		return sm_error_code(SM_EX_CONFIG, "unable to read '%s': %s", path, strerror(errno));
	sm_config *cfg = sm_calloc(1, sizeof *cfg);
	cfg->path = sm_strdup(path);
	if (git_config_open_ondisk(&gc, path) < 0 || git_config_foreach(gc, collect, cfg) < 0) {
		const git_error *ge = git_error_last();
		const char *m = ge ? ge->message : "unable to read config";
		sm_error_code(SM_EX_CONFIG, "%.*s", (int)strcspn(m, "\n"), m);
		git_config_free(gc);
		sm_config_free(cfg);
		return -1;
	}
	git_config_free(gc);
	if (loose_secret(cfg, path) < 0) {
		sm_config_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

void sm_config_free(sm_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n; i++) {
		free(cfg->e[i].name);
		free(cfg->e[i].value);
	}
	free(cfg->e);
	free(cfg->path);
	for (size_t i = 0; i < cfg->npool; i++)
		free(cfg->pool[i]);
	free(cfg->pool);
	free(cfg);
	git_libgit2_shutdown();
}

/* The last value wins, as in git. */
const char *sm_config_get(sm_config *cfg, const char *key)
{
	for (size_t i = cfg->n; i-- > 0;)
		if (strcmp(cfg->e[i].name, key) == 0)
			return cfg->e[i].value;
	return NULL;
}

const char *sm_config_get_sub(sm_config *cfg, const char *section, const char *sub, const char *key)
{
	char *name = sm_asprintf("%s.%s.%s", section, sub, key);
	const char *v = sm_config_get(cfg, name);
	free(name);
	return v;
}

/* Remember an allocation until the config is freed. */
static void *keep(sm_config *cfg, void *s)
{
	cfg->pool = sm_realloc(cfg->pool, (cfg->npool + 1) * sizeof *cfg->pool);
	cfg->pool[cfg->npool++] = s;
	return s;
}

const char *const *sm_config_get_all_sub(sm_config *cfg, const char *section, const char *sub,
					 const char *key, size_t *n)
{
	char *name = sm_asprintf("%s.%s.%s", section, sub, key);
	const char **all = keep(cfg, sm_calloc(cfg->n + 1, sizeof *all));
	*n = 0;
	for (size_t i = 0; i < cfg->n; i++)
		if (strcmp(cfg->e[i].name, name) == 0)
			all[(*n)++] = cfg->e[i].value;
	free(name);
	return all;
}

const char *const *sm_config_get_all(sm_config *cfg, const char *key, size_t *n)
{
	const char **all = keep(cfg, sm_calloc(cfg->n + 1, sizeof *all));
	*n = 0;
	for (size_t i = 0; i < cfg->n; i++)
		if (strcmp(cfg->e[i].name, key) == 0)
			all[(*n)++] = cfg->e[i].value;
	return all;
}

const char *const *sm_config_subsections(sm_config *cfg, const char *section, size_t *n)
{
	size_t sl = strlen(section);
	const char **subs = keep(cfg, sm_calloc(cfg->n + 1, sizeof *subs));
	*n = 0;
	for (size_t i = 0; i < cfg->n; i++) {
		const char *name = cfg->e[i].name, *last = strrchr(name, '.');
		if (strncmp(name, section, sl) != 0 || name[sl] != '.' || last == name + sl)
			continue;
		const char *sub = name + sl + 1;
		size_t len = (size_t)(last - sub), k;
		for (k = 0; k < *n; k++)
			if (strlen(subs[k]) == len && strncmp(subs[k], sub, len) == 0)
				break;
		if (k == *n)
			subs[(*n)++] = keep(cfg, sm_strndup(sub, len));
	}
	return subs;
}

int sm_config_has_literal_secret(sm_config *cfg)
{
	for (size_t i = 0; i < cfg->n; i++) {
		const char *dot = strrchr(cfg->e[i].name, '.');
		if (dot && strcmp(dot, ".token") == 0)
			return 1;
	}
	return 0;
}

#define SM_CONFIG_MAX 1e15

/* A number with an optional unit suffix; units[] maps a suffix letter to a factor. */
static int number(sm_config *cfg, const char *key, const char *units, const double *factor,
		  double def, double *out)
{
	const char *v = sm_config_get(cfg, key);
	char *end;
	*out = def;
	if (!v)
		return 0;
	errno = 0;
	double d = strtod(v, &end);
	if (end == v || errno || d < 0)
		goto bad;
	if (*end) {
		const char *u = strchr(units, *end);
		if (!u || end[1])
			goto bad;
		d *= factor[u - units];
	}
	/* no count, size or time of ours comes near; beyond, casts to long would be undefined */
	if (!isfinite(d) || d > SM_CONFIG_MAX)
		goto bad;
	*out = d;
	return 0;
bad:
	return sm_error_code(SM_EX_CONFIG, "%s: bad value '%s' for %s", cfg->path, v, key);
}

int sm_config_int(sm_config *cfg, const char *key, long def, long *out)
{
	static const double f[] = {1};
	double d;
	if (number(cfg, key, "", f, (double)def, &d) < 0)
		return -1;
	if (d != (double)(long)d)
		return sm_error_code(SM_EX_CONFIG, "%s: %s must be a whole number", cfg->path, key);
	*out = (long)d;
	return 0;
}

int sm_config_duration(sm_config *cfg, const char *key, double def, double *out)
{
	static const double f[] = {1, 60, 3600, 86400};
	return number(cfg, key, "smhd", f, def, out);
}

int sm_config_bytes(sm_config *cfg, const char *key, long long def, long long *out)
{
	static const double f[] = {1024, 1024, 1048576, 1048576, 1073741824, 1073741824};
	double d;
	if (number(cfg, key, "kKmMgG", f, (double)def, &d) < 0)
		return -1;
	*out = (long long)d;
	return 0;
}
