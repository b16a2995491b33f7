using Microsoft.Diagnostics.Tracing.Etlx;

namespace StatProf.Sampler.Internal.Symbols;

/// <summary>Where a TraceLog code address is in its method: module file, method token and IL offset.</summary>
internal static class TraceLogFrames
{
    /// <summary>
    /// The module path, metadata token and IL offset of a managed frame (-1 when no map covers it).
    /// In-memory lookups only: safe on a sampler thread.
    /// </summary>
    /// <param name="log">The session's TraceLog.</param>
    /// <param name="maps">The IL-to-native maps of the session's process.</param>
    /// <param name="address">The frame's code address.</param>
    /// <param name="method">Its method (TraceLog's), or invalid.</param>
    /// <param name="isReturnAddress">True for a caller frame (and for the leaf of a thread outside managed code): its address is a return address.</param>
    public static (string? ModulePath, int Token, int ILOffset) Locate(TraceLog log, NativeCodeMaps maps, CodeAddressIndex address, MethodIndex method, bool isReturnAddress)
    {
        TraceCodeAddresses addresses = log.CodeAddresses;
        ModuleFileIndex moduleIndex = addresses.ModuleFileIndex(address);
        string? path = moduleIndex == ModuleFileIndex.Invalid ? null : log.ModuleFiles[moduleIndex].FilePath;
        int token = method == MethodIndex.Invalid ? 0 : addresses.Methods.MethodToken(method);
        int il = token == 0 ? -1 : maps.ILOffset(addresses.Address(address), isReturnAddress);
        return (path, token, il);
    }
}
