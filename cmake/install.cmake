# SPDX-License-Identifier: GPL-2.0-only
# What `cmake --install` puts where (GNUInstallDirs): the programs, the systemd unit, the example
# config, man pages, bash completion and docs. The .deb (cmake/package.cmake) uses the same rules.
include(GNUInstallDirs)
set(XDPFLEET_UNITDIR "lib/systemd/system" CACHE STRING
    "systemd system unit directory, relative to the install prefix")
set(XDPFLEET_COMPLETIONSDIR "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" CACHE STRING
    "bash completion directory, relative to the install prefix")

install(TARGETS xdpfleetd RUNTIME DESTINATION "${CMAKE_INSTALL_SBINDIR}")
install(TARGETS xdpfleet RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")
include(cmake/manpages.cmake)
install(FILES deploy/completion/xdpfleet.bash DESTINATION "${XDPFLEET_COMPLETIONSDIR}"
        RENAME xdpfleet)
install(FILES README.md LICENSE docs/deploy.md docs/state.md docs/rpc.md docs/rules-engine.md
        docs/security.md docs/metrics.md DESTINATION "${CMAKE_INSTALL_DOCDIR}")
# The API, for clients in other languages, and the collector example that uses it.
install(FILES proto/xdpfleet/v1/agent.proto proto/grpc/health/v1/health.proto
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/proto")
install(PROGRAMS docs/examples/collector.py DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples")

# The unit and the files in etc name absolute paths, which depend on the prefix given when
# installing (cmake --install --prefix, or /usr for the .deb), so they are placed by a script
# run at install time: see cmake/install_etc.cmake.
install(CODE "
  set(XDPFLEET_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")
  set(XDPFLEET_STAGING_DIR \"${CMAKE_BINARY_DIR}/install-etc\")
  set(XDPFLEET_SBINDIR \"${CMAKE_INSTALL_SBINDIR}\")
  set(XDPFLEET_SYSCONFDIR \"${CMAKE_INSTALL_SYSCONFDIR}\")
  set(XDPFLEET_UNITDIR \"${XDPFLEET_UNITDIR}\")")
install(SCRIPT cmake/install_etc.cmake)
