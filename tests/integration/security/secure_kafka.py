"""A second, private Kafka with a SASL_SSL listener for the security tests.

Same cached jars and JDK as `wirestream stack up`, but its own loopback ports, its own state
directory (a tmp dir) and its own certificates (made with the JDK's keytool, so no extra tool
is needed). The SCRAM user is created at format time (`--add-scram`). The shared broker on 9092
is never touched.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import StackSettings
from pipeline.stack import fetch, java
from pipeline.stack.kafka import new_cluster_id

STORE_PASSWORD = "store-pass-x9"  # protects the test keystore only; never a client secret


@dataclass
class SecureKafka:
    bootstrap: str  # SASL_SSL listener
    ca_file: Path
    home: Path
    process: subprocess.Popen
    log_file: Path

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_file.read_text(errors="replace")[-chars:] if self.log_file.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _keytool(jdk: java.Jdk, *args: str) -> bytes:
    keytool = jdk.home / "bin" / "keytool"
    result = subprocess.run([str(keytool), *args], capture_output=True, timeout=60, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"keytool {args[0]} failed: {result.stderr.decode()[-1000:]}")
    return result.stdout


def make_certificates(jdk: java.Jdk, directory: Path) -> tuple[Path, Path]:
    """A CA and a broker certificate for 127.0.0.1/localhost signed by it: (ca.pem, broker.p12)."""
    ca_store, broker_store = directory / "ca.p12", directory / "broker.p12"
    ca_pem, csr, signed = directory / "ca.pem", directory / "broker.csr", directory / "broker.pem"
    common = ["-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD]
    _keytool(jdk, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048",
             "-dname", "CN=wirestream-test-ca", "-ext", "bc:c", "-validity", "2",
             "-keystore", str(ca_store), *common)  # fmt: skip
    ca_pem.write_bytes(
        _keytool(jdk, "-exportcert", "-rfc", "-alias", "ca", "-keystore", str(ca_store), *common)
    )
    _keytool(jdk, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
             "-dname", "CN=localhost", "-validity", "2", "-keystore", str(broker_store),
             *common)  # fmt: skip
    csr.write_bytes(
        _keytool(jdk, "-certreq", "-alias", "broker", "-keystore", str(broker_store), *common)
    )
    signed_pem = subprocess.run(
        [str(jdk.home / "bin" / "keytool"), "-gencert", "-alias", "ca", "-rfc", "-validity", "2",
         "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", str(ca_store), *common],
        input=csr.read_bytes(), capture_output=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    signed.write_bytes(signed_pem)
    _keytool(jdk, "-importcert", "-noprompt", "-alias", "ca", "-file", str(ca_pem),
             "-keystore", str(broker_store), *common)  # fmt: skip
    _keytool(jdk, "-importcert", "-alias", "broker", "-file", str(signed),
             "-keystore", str(broker_store), *common)  # fmt: skip
    return ca_pem, broker_store


def _properties(home: Path, keystore: Path, sasl_port: int, internal: int, controller: int) -> str:
    return f"""
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:{controller}
listeners=SASL_SSL://127.0.0.1:{sasl_port},INTERNAL://127.0.0.1:{internal},CONTROLLER://127.0.0.1:{controller}
advertised.listeners=SASL_SSL://127.0.0.1:{sasl_port},INTERNAL://127.0.0.1:{internal}
listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_plainuser="plain-user-secret-5e1f";
ssl.keystore.type=PKCS12
ssl.keystore.location={keystore}
ssl.keystore.password={STORE_PASSWORD}
ssl.key.password={STORE_PASSWORD}
log.dirs={home / "data"}
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=2
"""


def start(home: Path, scram_user: str, scram_password: str, timeout_s: float = 90) -> SecureKafka:
    """Format and start the broker; returns once the SASL_SSL port accepts connections."""
    stack = StackSettings()
    jdk = java.kafka_jdk(stack.java_home)
    lib = fetch.kafka_lib_dir(stack.cache_dir, stack.kafka_version)
    if not lib.is_dir():
        raise RuntimeError(f"no Kafka jars in {lib}: run `wirestream stack up` once")
    home.mkdir(parents=True, exist_ok=True)
    ca_pem, keystore = make_certificates(jdk, home)
    sasl_port, internal, controller = free_port(), free_port(), free_port()
    config = home / "server.properties"
    config.write_text(_properties(home, keystore, sasl_port, internal, controller))
    classpath = str(lib / "*")
    env = {**os.environ, "JAVA_HOME": str(jdk.home)}
    subprocess.run(
        [str(jdk.java), "-cp", classpath, "kafka.tools.StorageTool", "format",
         "--cluster-id", new_cluster_id(), "--config", str(config),
         "--add-scram", f"SCRAM-SHA-512=[name={scram_user},password={scram_password}]"],
        capture_output=True, timeout=120, env=env, check=True,
    )  # fmt: skip
    log_file = home / "kafka.out"
    with log_file.open("wb") as out:
        process = subprocess.Popen(
            [str(jdk.java), "-Xms256m", "-Xmx256m", "-Djava.awt.headless=true",
             f"-Dkafka.logs.dir={home / 'logs'}", "-cp", classpath, "kafka.Kafka", str(config)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=home,
        )  # fmt: skip
    server = SecureKafka(f"127.0.0.1:{sasl_port}", ca_pem, home, process, log_file)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the secure Kafka exited:\n{server.log_tail()}")
        # Kafka opens its data-plane listeners only once the broker is ready (unfenced).
        try:
            with socket.create_connection(("127.0.0.1", sasl_port), timeout=1):
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the secure Kafka did not start in {timeout_s}s:\n{server.log_tail()}")
