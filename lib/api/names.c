// SPDX-License-Identifier: GPL-2.0-only
/* Names of the API's enums (see names.h). */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "api_limits.h"
#include "names.h"
#include "array_size.h"

static const char *const names_actions[] = {
	[XDPFLEET__V1__XDP_ACTION__XDP_ABORTED] = "XDP_ABORTED",
	[XDPFLEET__V1__XDP_ACTION__XDP_DROP] = "XDP_DROP",
	[XDPFLEET__V1__XDP_ACTION__XDP_PASS] = "XDP_PASS",
	[XDPFLEET__V1__XDP_ACTION__XDP_TX] = "XDP_TX",
	[XDPFLEET__V1__XDP_ACTION__XDP_REDIRECT] = "XDP_REDIRECT",
};

static const char *const names_modes[] = {
	[XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_UNSPECIFIED] = "unspecified",
	[XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_AUTO] = "auto",
	[XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_NATIVE] = "native",
	[XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_SKB] = "skb",
	[XDPFLEET__V1__ATTACH_MODE__ATTACH_MODE_HW] = "hw",
};

static const char *const names_builtins[] = {
	[XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_FILTER] = "filter",
	[XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_PASS] = "pass",
	[XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_DROP] = "drop",
	[XDPFLEET__V1__BUILTIN_PROGRAM__BUILTIN_PROGRAM_ABORT] = "abort",
};

const char *names_action(Xdpfleet__V1__XdpAction a)
{
	if ((unsigned int)a < ARRAY_SIZE(names_actions))
		return names_actions[a];
	return "XDP_UNKNOWN";
}

const char *names_mode(Xdpfleet__V1__AttachMode m)
{
	if ((unsigned int)m < ARRAY_SIZE(names_modes))
		return names_modes[m];
	return "unspecified";
}

/* Index of s in a name table, skipping the unnamed 0 entries; -EINVAL when absent. */
static int names_lookup(const char *const *table, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (table[i] && !strcmp(table[i], s))
			return (int)i;
	return -EINVAL;
}

int names_parse_mode(const char *s, Xdpfleet__V1__AttachMode *m)
{
	int i = names_lookup(names_modes, ARRAY_SIZE(names_modes), s);

	if (i <= 0)
		return -EINVAL;
	*m = i;
	return 0;
}

int names_parse_builtin(const char *s, Xdpfleet__V1__BuiltinProgram *p)
{
	int i = names_lookup(names_builtins, ARRAY_SIZE(names_builtins), s);

	if (i <= 0)
		return -EINVAL;
	*p = i;
	return 0;
}

bool names_tag_valid(const char *tag)
{
	if (strlen(tag) > API_TAG_MAX)
		return false;
	for (; *tag; tag++)
		if (!isalnum((unsigned char)*tag) && !strchr("._:-", *tag))
			return false;
	return true;
}
