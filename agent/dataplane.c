/* Placeholder data plane until the loader lands: no attachments, no features. */
#include <errno.h>
#include <stdlib.h>

#include "dataplane.h"

struct dataplane {
	struct dataplane_opts opts;
};

int dataplane_open(struct dataplane **out, const struct dataplane_opts *opts, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	(*out)->opts = *opts;
	return 0;
}

void dataplane_close(struct dataplane *dp)
{
	free(dp);
}

void dataplane_features(const struct dataplane *dp, Xdpfleet__V1__Features *features)
{
	(void)dp;
	(void)features;
}

size_t dataplane_n_attachments(const struct dataplane *dp)
{
	(void)dp;
	return 0;
}
