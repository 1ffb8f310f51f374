/* pam_exports.c - the module exports pam_sm_authenticate and pam_sm_setcred
 * and nothing else: dlopen/dlsym, and every defined dynamic symbol of the
 * file; and it needs no LDAP library (DT_NEEDED): a directory client never
 * runs inside a PAM process */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "pam_harness.h"

static void entry_points_resolve(void **state)
{
	void *h = dlopen(module_path(), RTLD_NOW | RTLD_LOCAL);

	(void)state;
	assert_non_null(h);
	assert_non_null(dlsym(h, "pam_sm_authenticate"));
	assert_non_null(dlsym(h, "pam_sm_setcred"));
	/* internals from common/ stay hidden */
	assert_null(dlsym(h, "apk_verify"));
	assert_null(dlsym(h, "apk_store_fetch"));
	assert_null(dlsym(h, "apk_key_parse"));
	assert_null(dlsym(h, "apk_record_decode"));
	dlclose(h);
}

/* Reads .dynsym and lists every defined global or weak symbol. */
static void only_pam_sm_defined(void **state)
{
	struct stat st;
	const unsigned char *img;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	int fd, i, exported = 0;

	(void)state;
	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(img != MAP_FAILED);
	eh = (const Elf64_Ehdr *)(const void *)img;
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
	sh = (const Elf64_Shdr *)(const void *)(img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *names;
		size_t k, n;

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		sym = (const Elf64_Sym *)(const void *)(img + sh[i].sh_offset);
		names = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		n = sh[i].sh_size / sizeof(*sym);
		for (k = 1; k < n; k++) {
			int bind = ELF64_ST_BIND(sym[k].st_info);
			const char *name = names + sym[k].st_name;

			if (sym[k].st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK))
				continue;
			printf("# exported: %s\n", name);
			if (strcmp(name, "pam_sm_authenticate") != 0 && strcmp(name, "pam_sm_setcred") != 0)
				fail_msg("unexpected exported symbol %s", name);
			exported++;
		}
	}
	assert_int_equal(exported, 2);
	munmap((void *)(uintptr_t)img, (size_t)st.st_size);
	close(fd);
}

/* Reads .dynamic: no DT_NEEDED names libldap or liblber (the Makefile
 * keeps common/fleet_ldap.c and -lldap out of the module). */
static void no_ldap_needed(void **state)
{
	struct stat st;
	const unsigned char *img;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	int fd, i, needed = 0;

	(void)state;
	fd = open(module_path(), O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(img != MAP_FAILED);
	eh = (const Elf64_Ehdr *)(const void *)img;
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	sh = (const Elf64_Shdr *)(const void *)(img + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const Elf64_Dyn *dyn;
		const char *names;
		size_t k, n;

		if (sh[i].sh_type != SHT_DYNAMIC)
			continue;
		dyn = (const Elf64_Dyn *)(const void *)(img + sh[i].sh_offset);
		names = (const char *)(img + sh[sh[i].sh_link].sh_offset);
		n = sh[i].sh_size / sizeof(*dyn);
		for (k = 0; k < n && dyn[k].d_tag != DT_NULL; k++) {
			const char *name = names + dyn[k].d_un.d_val;

			if (dyn[k].d_tag != DT_NEEDED)
				continue;
			printf("# needed: %s\n", name);
			if (strstr(name, "libldap") != NULL || strstr(name, "liblber") != NULL)
				fail_msg("the module needs %s", name);
			needed++;
		}
	}
	assert_true(needed > 0); /* libpam at least: the section was read */
	munmap((void *)(uintptr_t)img, (size_t)st.st_size);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entry_points_resolve),
		cmocka_unit_test(only_pam_sm_defined),
		cmocka_unit_test(no_ldap_needed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
