# SPDX-License-Identifier: GPL-2.0-only
# The Debian package: `cpack -G DEB` in the build directory makes xdpfleet_VERSION-1_ARCH.deb from
# the install rules (prefix /usr, so etc is /etc), Depends from dpkg-shlibdeps, the unit,
# conffiles and maintainer scripts that never start the agent.
set(XDPFLEET_MAINTAINER "xdpfleet maintainers <xdpfleet@example.org>" CACHE STRING
    "Maintainer of the .deb, as 'Name <address>'")
set(deb "${CMAKE_SOURCE_DIR}/deploy/debian")
install(FILES "${deb}/copyright" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME xdpfleet)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${XDPFLEET_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fleet-wide control plane for XDP packet filtering")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"xdpfleetd, a per-host agent, loads and manages XDP programs, enforces drop,
allow, limit and monitor rules at the driver and serves per-action packet and
byte counters over gRPC. The xdpfleet CLI sends attach, rule and stats commands
to many agents at once.
Includes a hardened systemd unit (not enabled on install), an example
configuration in /etc/xdpfleet, man pages and bash completion.")
# The install rules resolve etc to /etc only for prefix /usr given at install time: CPack must
# install with that prefix and a DESTDIR, not into a prefix inside its staging directory.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bpftool, xdp-tools")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA "${deb}/postinst;${deb}/prerm;${deb}/postrm;${deb}/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
