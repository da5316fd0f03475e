# SPDX-License-Identifier: GPL-2.0-only
# Install-time half of cmake/install.cmake: installs the systemd unit with ExecStart and the
# config paths of this prefix, agent.conf and the /etc/default file, into the prefix's etc
# (/etc for prefix /usr, as GNUInstallDirs resolves it). An edited config file is never replaced.

# xdpfleet_full_dir(OUT DIR): DIR (absolute, or relative to the prefix) as an absolute path.
function(xdpfleet_full_dir OUT DIR)
  if(IS_ABSOLUTE "${DIR}")
    set(full "${DIR}")
  elseif(CMAKE_INSTALL_PREFIX STREQUAL "/usr" AND DIR MATCHES "^etc(/|$)")
    set(full "/${DIR}")
  else()
    set(full "${CMAKE_INSTALL_PREFIX}/${DIR}")
  endif()
  string(REGEX REPLACE "/+" "/" full "${full}")
  set(${OUT} "${full}" PARENT_SCOPE)
endfunction()

xdpfleet_full_dir(sbindir "${XDPFLEET_SBINDIR}")
xdpfleet_full_dir(etc "${XDPFLEET_SYSCONFDIR}")
xdpfleet_full_dir(unitdir "${XDPFLEET_UNITDIR}")
set(deploy "${XDPFLEET_SOURCE_DIR}/deploy")

# The unit in deploy/ names the Debian paths; other prefixes get theirs.
file(READ "${deploy}/xdpfleetd.service" unit)
string(REPLACE "/usr/sbin/xdpfleetd" "${sbindir}/xdpfleetd" unit "${unit}")
string(REPLACE "/etc/xdpfleet/" "${etc}/xdpfleet/" unit "${unit}")
string(REPLACE "/etc/default/xdpfleetd" "${etc}/default/xdpfleetd" unit "${unit}")
# Written per destination, so that installs to different places at once do not mix their units.
string(SHA1 dest_key "$ENV{DESTDIR}|${CMAKE_INSTALL_PREFIX}")
set(staged "${XDPFLEET_STAGING_DIR}/${dest_key}/xdpfleetd.service")
file(WRITE "${staged}" "${unit}")
file(INSTALL "${staged}" DESTINATION "${unitdir}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# xdpfleet_install_conf(SRC DIR NAME): SRC as DIR/NAME; a reinstall over an edited DIR/NAME keeps
# it and puts the new version beside it as NAME.example.
function(xdpfleet_install_conf SRC DIR NAME)
  set(dest "$ENV{DESTDIR}${DIR}/${NAME}")
  if(EXISTS "${dest}")
    file(READ "${dest}" have)
    file(READ "${SRC}" want)
    if(NOT have STREQUAL want)
      message(STATUS "Keeping the edited ${dest}; the new version is ${NAME}.example beside it")
      set(NAME "${NAME}.example")
    endif()
  endif()
  file(INSTALL "${SRC}" DESTINATION "${DIR}" RENAME "${NAME}"
       FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endfunction()

xdpfleet_install_conf("${deploy}/agent.conf" "${etc}/xdpfleet" agent.conf)
xdpfleet_install_conf("${deploy}/xdpfleetd.default" "${etc}/default" xdpfleetd)
