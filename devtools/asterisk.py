"""A real Asterisk for the tests and the demo: a PBX with its extensions, and a farm of phones.

``AsteriskPbx`` is what a FreePBX user has: PJSIP extensions named after their numbers, dialled
from ``from-internal``, ARI on loopback, an outside line (a trunk). ``PhoneFarm`` is a second
Asterisk, reached over that trunk and the extensions' contacts, whose dialplan plays the phones:
each answers, is busy, never answers or answers and presses 1, so that the PBX under test sees
only its own extensions' channels, as it would in an office. A SIPp phone can register as an
extension of its own (``SippPhone``).

Each Asterisk runs in the foreground with every writable directory in a folder of its own, owned
by the ``asterisk`` user, on free loopback ports; ``stop`` ends it whatever state it is in.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
import os
from pathlib import Path
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from typing import ClassVar, Self

ARI_USER = "call-bridge"
ARI_PASSWORD = "ari-demo-password"  # the test PBX's well-known ARI password
ARI_APP = "call_bridge"
SIPP_PASSWORD = "sipp-phone-password"
BOOT_SECONDS = 30

# The farm's phones: each extension's number is also what its phone does when it rings.
ANSWERS = "100"  # answers, and stays on the line until hung up (or 5 minutes)
BUSY = "101"
NEVER_ANSWERS = "102"
PRESSES_1 = "103"  # answers, then presses 1 after 2 seconds
OFFLINE = "104"  # an extension no phone is registered for
SIPP_PHONE = "201"  # a real SIP phone (SIPp), registered with a password
EXTENSIONS = (ANSWERS, BUSY, NEVER_ANSWERS, PRESSES_1)
# Outside numbers, reached over the trunk to the farm.
OUTSIDE_ANSWERS = "13800138000"
# Who calls the PBX from outside (the phones' "callers").
CALLER_NUMBER = "13900139000"
CALLER_NAME = "Mum"
OUTSIDE_BUSY = "13800000486"
OUTSIDE_NEVER_ANSWERS = "13800000480"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """Return a loopback port that nothing listens on now."""
    with socket.socket(socket.AF_INET, kind) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def asterisk_binary() -> str:
    """Return the path of Debian's Asterisk, or raise when the machine has none."""
    found = shutil.which("asterisk", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if found is None:
        raise FileNotFoundError("asterisk is not installed: run scripts/setup")
    return found


def have_asterisk() -> bool:
    """Whether this machine can run a real Asterisk (the demo sets one up when it can)."""
    try:
        asterisk_binary()
    except FileNotFoundError:
        return False
    return True


@dataclass
class Asterisk:
    """One Asterisk process with its configuration in its own folder."""

    name: ClassVar[str]
    folder: Path = field(init=False)
    sip_port: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))
    process: asyncio.subprocess.Process | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        """Make the folder the process keeps everything in."""
        self.folder = Path(tempfile.mkdtemp(prefix=f"call-bridge-{self.name}-"))

    def files(self) -> dict[str, str]:
        """Return the configuration files, by name."""
        raise NotImplementedError

    def write(self) -> None:
        """Write asterisk.conf, the configuration and the writable folders, owned by asterisk."""
        etc = self.folder / "etc"
        etc.mkdir()
        for directory in ("run", "spool", "log", "db", "lib"):
            (self.folder / directory).mkdir()
        (etc / "asterisk.conf").write_text(
            f"""[directories]
astetcdir => {etc}
astrundir => {self.folder / "run"}
astspooldir => {self.folder / "spool"}
astlogdir => {self.folder / "log"}
astdbdir => {self.folder / "db"}
astvarlibdir => /usr/share/asterisk
astdatadir => /usr/share/asterisk
astkeydir => {self.folder / "lib"}

[options]
nofork = yes
"""
        )
        common = {
            "modules.conf": "[modules]\nautoload = yes\n"
            + "".join(f"noload = {module}\n" for module in NOT_LOADED),
            "logger.conf": "[general]\n[logfiles]\nmessages.log => notice,warning,error\n",
            "rtp.conf": "[general]\nrtpstart = 20000\nrtpend = 29999\n",
        }
        for name, text in (common | self.files()).items():
            (etc / name).write_text(text)
        if os.geteuid() == 0:  # Asterisk runs as its own user (as root it cannot open its db)
            user = pwd.getpwnam("asterisk")
            for path in [self.folder, *self.folder.rglob("*")]:
                os.chown(path, user.pw_uid, user.pw_gid)

    async def start(self) -> Self:
        """Start Asterisk and wait until it has fully booted."""
        self.write()
        command = [asterisk_binary(), "-f"]
        if os.geteuid() == 0:
            command += ["-U", "asterisk", "-G", "asterisk"]
        self.process = await asyncio.create_subprocess_exec(
            *command,
            "-C",
            str(self.folder / "etc" / "asterisk.conf"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        async with asyncio.timeout(BOOT_SECONDS):
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name} Asterisk exited: {self.log()}")
                done = await self.command("core waitfullybooted")
                if "fully booted" in done:
                    return self
                await asyncio.sleep(0.2)

    async def command(self, line: str) -> str:
        """Run a CLI command on the running Asterisk; return what it printed."""
        remote = await asyncio.create_subprocess_exec(
            asterisk_binary(),
            "-C",
            str(self.folder / "etc" / "asterisk.conf"),
            "-rx",
            line,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        async with asyncio.timeout(10):
            output, _ = await remote.communicate()
        return output.decode(errors="replace")

    def log(self) -> str:
        """Return Asterisk's log of notices, warnings and errors."""
        path = self.folder / "log" / "messages.log"
        return path.read_text(errors="replace") if path.exists() else ""

    async def stop(self) -> None:
        """End Asterisk: SIGTERM, then SIGKILL; its folder goes too."""
        if self.process is not None and self.process.returncode is None:
            for sent in (signal.SIGTERM, signal.SIGKILL):
                os.killpg(self.process.pid, sent)
                try:
                    async with asyncio.timeout(5):
                        await self.process.wait()
                    break
                except TimeoutError:
                    continue
        shutil.rmtree(self.folder, ignore_errors=True)

    async def __aenter__(self) -> Self:
        """Start Asterisk for a ``with`` block."""
        try:
            return await self.start()
        except BaseException:
            await self.stop()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop Asterisk, whatever happened in the block."""
        await self.stop()


# Modules the test PBXs need none of; leaving them out boots Asterisk faster and quieter.
NOT_LOADED = (
    "chan_iax2.so",
    "chan_unistim.so",
    "chan_mgcp.so",
    "chan_skinny.so",
    "res_config_ldap.so",
    "res_hep.so",
    "res_hep_pjsip.so",
    "res_hep_rtcp.so",
    "cdr_radius.so",
    "cel_radius.so",
    "res_phoneprov.so",
    "res_pjsip_phoneprov_provider.so",
    "res_smdi.so",
    "res_calendar.so",
    "res_xmpp.so",
    "chan_motif.so",
    "res_snmp.so",
    "pbx_dundi.so",
    "res_stun_monitor.so",
    "app_voicemail.so",
    "app_minivm.so",
    "cdr_pgsql.so",
    "cel_pgsql.so",
    "res_config_pgsql.so",
    "res_odbc.so",
    "res_config_odbc.so",
    "cdr_odbc.so",
    "cel_odbc.so",
    "res_fax.so",
    "res_fax_spandsp.so",
)


@dataclass
class PhoneFarm(Asterisk):
    """The phones of the PBX's extensions and of the outside world, played by a dialplan."""

    name: ClassVar[str] = "phones"
    pbx_sip_port: int = 0

    def files(self) -> dict[str, str]:
        """Return a trunk from the PBX, and a dialplan that acts out every phone."""
        return {
            "pjsip.conf": f"""[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:{self.sip_port}

[pbx]
type = endpoint
context = phones
disallow = all
allow = ulaw,alaw,gsm
direct_media = no
dtmf_mode = rfc4733
aors = pbx
; Calls to the PBX come from its trunk (as the PBX knows it by name), showing their caller's id.
from_user = trunk
send_pai = yes

[pbx]
type = aor
contact = sip:127.0.0.1:{self.pbx_sip_port}

[pbx]
type = identify
endpoint = pbx
match = 127.0.0.1
""",
            "extensions.conf": f"""[general]
static = yes
writeprotect = yes

[phones]
exten => {ANSWERS},1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait(300)
 same => n,Hangup()
exten => {BUSY},1,Busy(5)
exten => {NEVER_ANSWERS},1,Ringing()
 same => n,Wait(600)
exten => {PRESSES_1},1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait(2)
 same => n,SendDTMF(1)
 same => n,Wait(60)
 same => n,Hangup()
exten => {OUTSIDE_ANSWERS},1,Goto({ANSWERS},1)
exten => {OUTSIDE_BUSY},1,Goto({BUSY},1)
exten => {OUTSIDE_NEVER_ANSWERS},1,Goto({NEVER_ANSWERS},1)

[callers]
; Someone outside calls an extension of the PBX, through its trunk.
exten => _X.,1,Set(CALLERID(num)={CALLER_NUMBER})
 same => n,Set(CALLERID(name)={CALLER_NAME})
 same => n,Dial(PJSIP/${{EXTEN}}@pbx,60)
 same => n,Hangup()
""",
        }

    async def call_in(self, extension: str) -> None:
        """Call the PBX's ``extension`` from outside, as ``CALLER_NAME`` at ``CALLER_NUMBER``."""
        await self.command(f"channel originate Local/{extension}@callers application Wait 60")

    async def hang_up_callers(self) -> None:
        """End the calls from outside (the caller gives up, or hangs up); the others go on."""
        for line in (await self.command("core show channels concise")).splitlines():
            name = line.split("!", 1)[0]
            if name.startswith("Local/") and "@callers-" in name:
                await self.command(f"channel request hangup {name}")


@dataclass
class AsteriskPbx(Asterisk):
    """The PBX under test, set up as FreePBX sets one up, with ARI on loopback."""

    name: ClassVar[str] = "pbx"
    farm_sip_port: int = 0
    ari_port: int = field(default_factory=free_port)

    def files(self) -> dict[str, str]:
        """ARI, the extensions (their contacts are the farm's phones), a trunk, from-internal."""
        extensions = "".join(
            f"""
[{number}]
type = endpoint
context = from-internal
disallow = all
allow = ulaw,alaw,gsm
direct_media = no
dtmf_mode = rfc4733
aors = {number}
callerid = Phone {number} <{number}>

[{number}]
type = aor
contact = sip:{number}@127.0.0.1:{self.farm_sip_port}
"""
            for number in EXTENSIONS
        )
        return {
            "http.conf": f"[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = {self.ari_port}\n",
            "ari.conf": f"""[general]
enabled = yes

[{ARI_USER}]
type = user
read_only = no
password = {ARI_PASSWORD}
""",
            "pjsip.conf": f"""[transport-udp]
type = transport
protocol = udp
bind = 127.0.0.1:{self.sip_port}
{extensions}
[{OFFLINE}]
type = endpoint
context = from-internal
disallow = all
allow = ulaw,alaw,gsm
aors = {OFFLINE}

[{OFFLINE}]
type = aor
max_contacts = 1

[{SIPP_PHONE}]
type = endpoint
context = from-internal
disallow = all
allow = ulaw,alaw
direct_media = no
aors = {SIPP_PHONE}
auth = {SIPP_PHONE}

[{SIPP_PHONE}]
type = auth
auth_type = userpass
username = {SIPP_PHONE}
password = {SIPP_PASSWORD}

[{SIPP_PHONE}]
type = aor
max_contacts = 1
remove_existing = yes

[trunk]
type = endpoint
context = from-trunk
trust_id_inbound = yes
disallow = all
allow = ulaw,alaw,gsm
direct_media = no
dtmf_mode = rfc4733
aors = trunk

[trunk]
type = aor
contact = sip:127.0.0.1:{self.farm_sip_port}
""",
            "extensions.conf": """[general]
static = yes
writeprotect = yes

[from-internal]
exten => _XXX,1,Dial(PJSIP/${EXTEN},60)
 same => n,Hangup()
exten => _1XXXXXXXXXX,1,Dial(PJSIP/${EXTEN}@trunk,60)
 same => n,Hangup()

[from-trunk]
exten => _X.,1,Dial(PJSIP/${EXTEN},60)
 same => n,Hangup()
""",
        }


def _register(cseq: int, authentication: str) -> str:
    """Return a REGISTER whose contact is the answering SIPp's port (SIPp's own keywords)."""
    return f"""  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[user]@[remote_ip]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[user]@[remote_ip]>
      Call-ID: [call_id]
      CSeq: {cseq} REGISTER
      Contact: <sip:[user]@[local_ip]:[answer_port]>
      Expires: [expires]{authentication}
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
"""


# Register with the extension's password: the PBX asks (401), SIPp answers the challenge.
REGISTER_SCENARIO = f"""<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
{_register(1, "")}  <recv response="401" auth="true"/>
{_register(2, chr(10) + "      [authentication username=[user] password=[password]]")}  <recv response="200"/>
</scenario>
"""

ANSWER_SCENARIO = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answer">
  <recv request="INVITE" crlf="true"/>
  <send>
    <![CDATA[
      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
    ]]>
  </send>
  <pause milliseconds="500"/>
  <send retrans="500">
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
    ]]>
  </send>
  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0
    ]]>
  </send>
</scenario>
"""


@dataclass
class SippPhone:
    """A real SIP phone (SIPp): registers as an extension with its password, and answers calls.

    One SIPp process registers (its contact is the other's port), another answers every call.
    """

    pbx: AsteriskPbx
    number: str = SIPP_PHONE
    answer_port: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="call-bridge-sipp-")))
    answering: asyncio.subprocess.Process | None = field(default=None, init=False)

    def _scenario(self, name: str, text: str) -> str:
        path = self.folder / f"{name}.xml"
        path.write_text(text)
        return str(path)

    async def register(self, *, expires: int = 3600) -> None:
        """Register (``expires`` 0: unregister), and wait for the PBX's 200 OK."""
        sipp = await asyncio.create_subprocess_exec(
            sipp_binary(),
            f"127.0.0.1:{self.pbx.sip_port}",
            "-sf",
            self._scenario("register", REGISTER_SCENARIO),
            "-i",
            "127.0.0.1",
            "-p",
            str(free_port(socket.SOCK_DGRAM)),
            "-m",
            "1",
            "-s",
            self.number,
            "-key",
            "user",
            self.number,
            "-key",
            "password",
            SIPP_PASSWORD,
            "-key",
            "answer_port",
            str(self.answer_port),
            "-key",
            "expires",
            str(expires),
            "-timeout",
            "10s",
            "-nostdin",
            "-trace_err",
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        async with asyncio.timeout(20):
            code = await sipp.wait()
        if code != 0:
            raise RuntimeError(f"SIPp could not register {self.number} (exit {code})")

    async def start_answering(self) -> None:
        """Answer every call to the registered contact, until ``stop``."""
        self.answering = await asyncio.create_subprocess_exec(
            sipp_binary(),
            "-sf",
            self._scenario("answer", ANSWER_SCENARIO),
            "-i",
            "127.0.0.1",
            "-p",
            str(self.answer_port),
            "-mp",
            str(free_port(socket.SOCK_DGRAM)),
            "-nostdin",
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    async def stop(self) -> None:
        """Stop answering; the folder goes too."""
        if self.answering is not None and self.answering.returncode is None:
            os.killpg(self.answering.pid, signal.SIGKILL)
            await self.answering.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def sipp_binary() -> str:
    """Return the path of Debian's SIPp (package sip-tester), or raise when there is none."""
    found = shutil.which("sipp")
    if found is None:
        raise FileNotFoundError("sipp is not installed: run scripts/setup")
    return found


@dataclass(frozen=True)
class Office:
    """A running Asterisk PBX, its farm of phones, and a real SIP phone that answers."""

    pbx: AsteriskPbx
    farm: PhoneFarm
    phone: SippPhone

    def describe(self, host: str = "127.0.0.1") -> str:
        """Its address and ARI user, and what each extension does, for a person adding it."""
        return (
            f"  {'Asterisk':<15}host {host}, port {self.pbx.ari_port} (HTTP), "
            f"ARI user {ARI_USER}, password {ARI_PASSWORD},\n"
            f"  {'':<15}application {ARI_APP}, context from-internal, technology PJSIP,\n"
            f"  {'':<15}extensions {ANSWERS} (answers), {BUSY} (busy), {NEVER_ANSWERS} (never "
            f"answers), {PRESSES_1} (answers and presses 1),\n"
            f"  {'':<15}{OFFLINE} (no phone), {SIPP_PHONE} (a SIPp phone, registered)"
        )


@asynccontextmanager
async def running_office(ports: tuple[int, int, int] | None = None) -> AsyncIterator[Office]:
    """Start the farm, the PBX and the SIPp phone (answering, not yet registered); stop them all.

    ``ports``: ARI's, the PBX's SIP and the farm's SIP (free ones when not given).
    """
    farm = PhoneFarm(**({"sip_port": ports[2]} if ports else {}))
    pbx = AsteriskPbx(
        farm_sip_port=farm.sip_port,
        **({"ari_port": ports[0], "sip_port": ports[1]} if ports else {}),
    )
    farm.pbx_sip_port = pbx.sip_port
    phone = SippPhone(pbx)
    try:
        async with farm, pbx:
            await phone.start_answering()
            yield Office(pbx, farm, phone)
    finally:
        await phone.stop()
