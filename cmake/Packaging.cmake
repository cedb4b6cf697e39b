# Install layout and the Debian package. Paths follow GNUInstallDirs, so
# with the prefix /usr (what the .deb uses) everything lands where Debian
# expects it:
#   bin/mfo                                      the program
#   share/man/man1/mfo.1.gz                      the manual page
#   share/bash-completion/completions/mfo        bash completion
#   share/zsh/vendor-completions/_mfo            zsh completion
#   share/fish/vendor_completions.d/mfo.fish     fish completion
#   share/mfo/{templates,static}                 copies of the built-in files
#   share/doc/mfo/                               docs and examples
#   lib/systemd/system/mfo.service               the systemd unit
# The package alone also gets /etc/mfo/mfo.conf (component deb_config),
# since an absolute path under a user's own prefix would escape it.

include(GNUInstallDirs)

set(MFO_PACKAGE_MAINTAINER "mfo maintainers <mfo@example.org>"
    CACHE STRING "Maintainer field of the Debian package")

# Debian ships manual pages compressed, without a timestamp so that the
# package is reproducible.
set(MFO_MAN_PAGE ${PROJECT_SOURCE_DIR}/man/mfo.1)
set(MFO_MAN_PAGE_GZ ${PROJECT_BINARY_DIR}/mfo.1.gz)
add_custom_command(
  OUTPUT ${MFO_MAN_PAGE_GZ}
  COMMAND sh -c "gzip -9n < \"$0\" > \"$1\"" ${MFO_MAN_PAGE} ${MFO_MAN_PAGE_GZ}
  DEPENDS ${MFO_MAN_PAGE}
  COMMENT "Compressing the manual page"
  VERBATIM)
add_custom_target(mfo_man_page ALL DEPENDS ${MFO_MAN_PAGE_GZ})

install(FILES ${MFO_MAN_PAGE_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES completions/mfo.bash
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions
        RENAME mfo)
install(FILES completions/_mfo
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/zsh/vendor-completions)
install(FILES completions/mfo.fish
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/fish/vendor_completions.d)
install(DIRECTORY templates static
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/mfo)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")
install(FILES contrib/nginx.conf contrib/mfo.conf
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES contrib/mfo.service
        DESTINATION lib/systemd/system)
install(FILES contrib/mfo.conf DESTINATION /etc/mfo
        COMPONENT deb_config EXCLUDE_FROM_ALL)

# One .deb holding both components.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mfo)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${MFO_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "user accounts, roles and a login web app on SQLite")
set(CPACK_PACKAGE_DESCRIPTION
    "mfo keeps the user accounts, roles and permissions of the music \
festival organizer's web application in one SQLite database: an \
administrator's command-line tool and a small web server with login, \
registration, an account page and an admin page. Passwords are hashed \
with argon2id. It can import a Flask-Security-Too database.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL Unspecified deb_config)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)

set(CPACK_DEBIAN_PACKAGE_NAME mfo)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps (dpkg-dev) turns the libraries mfo links into Depends
# with the right package names and versions; postinst needs adduser.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/contrib/debian/conffiles
    ${PROJECT_SOURCE_DIR}/contrib/debian/postinst
    ${PROJECT_SOURCE_DIR}/contrib/debian/prerm
    ${PROJECT_SOURCE_DIR}/contrib/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
