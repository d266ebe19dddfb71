#include "authenticate.h"

#include <openssl/rand.h>

#include "handshake.h"

namespace hastore::replicated {

namespace {

Result<std::string> FreshNonce() {
  std::string nonce(kAuthNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) != 1) {
    return Status::IOError("no random bytes for a handshake nonce (OpenSSL RAND_bytes failed)");
  }
  return nonce;
}

std::string KeyFile(const DaemonConfig& config) {
  return "authentication key file " + (config.auth_key_file.empty() ? std::string("(none configured)") : config.auth_key_file);
}

}  // namespace

Status AuthenticateToDaemon(Socket& socket, const DaemonConfig& config) {
  const std::string& key = config.auth_key;
  if (key.size() < kMinAuthKeyBytes) {
    return Status::InvalidArgument("no authentication key loaded from the " + KeyFile(config) + ": the replication daemons " +
                                   "accept no one without it");
  }
  Result<std::string> mine = FreshNonce();
  if (!mine.ok()) return mine.status();
  HASTORE_RETURN_IF_ERROR(socket.Send(EncodeAuthChallenge(*mine)));
  Result<std::string> bytes = socket.ReceiveExactly(kAuthResponseBytes);
  if (!bytes.ok()) return bytes.status();
  Result<AuthResponse> response = DecodeAuthResponse(*bytes);
  if (!response.ok()) return Status::InvalidArgument(socket.peer() + " does not speak the daemons' handshake: " + response.status().message());
  if (!AuthProofMatches(response->proof, key, AuthRole::kResponder, *mine, response->responder_nonce)) {
    return Status::InvalidArgument("replication daemon " + socket.peer() + " holds another key than this side's " + KeyFile(config) +
                                   " (or it is no daemon of ours): refused");
  }
  HASTORE_RETURN_IF_ERROR(socket.Send(AuthProof(key, AuthRole::kInitiator, *mine, response->responder_nonce)));
  Result<std::string> verdict = socket.ReceiveExactly(kAuthVerdictBytes);
  if (!verdict.ok() || static_cast<uint8_t>((*verdict)[0]) != kAuthAccepted) {
    return Status::InvalidArgument("replication daemon " + socket.peer() + " refused this side's key (" + KeyFile(config) + ")");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Socket>> ConnectToDaemon(const DaemonConfig& config, const std::string& address, uint64_t connect_ms,
                                                uint64_t io_ms) {
  Result<std::unique_ptr<Socket>> s = Socket::Connect(address, connect_ms, io_ms);
  if (!s.ok()) return s.status();
  HASTORE_RETURN_IF_ERROR(AuthenticateToDaemon(**s, config));
  return s;
}

Status AuthenticatePeer(Socket& socket, const std::string& key, uint64_t timeout_ms) {
  if (key.size() < kMinAuthKeyBytes) return Status::InvalidArgument("this daemon has no authentication key");
  socket.SetTimeout(timeout_ms);
  Result<std::string> bytes = socket.ReceiveExactly(kAuthChallengeBytes);
  if (!bytes.ok()) return bytes.status();
  Result<std::string> theirs = DecodeAuthChallenge(*bytes);
  if (!theirs.ok()) return theirs.status();
  Result<std::string> mine = FreshNonce();
  if (!mine.ok()) return mine.status();
  HASTORE_RETURN_IF_ERROR(socket.Send(EncodeAuthResponse({*mine, AuthProof(key, AuthRole::kResponder, *theirs, *mine)})));
  Result<std::string> proof = socket.ReceiveExactly(kAuthFinishBytes);
  if (!proof.ok()) return proof.status();
  if (!AuthProofMatches(*proof, key, AuthRole::kInitiator, *theirs, *mine)) {
    (void)socket.Send(std::string(1, static_cast<char>(kAuthRefused)));
    return Status::InvalidArgument("its proof of the authentication key is wrong (another key, or a replayed handshake)");
  }
  HASTORE_RETURN_IF_ERROR(socket.Send(std::string(1, static_cast<char>(kAuthAccepted))));
  socket.SetTimeout(0);
  return Status::Ok();
}

}  // namespace hastore::replicated
