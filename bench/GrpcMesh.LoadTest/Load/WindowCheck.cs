namespace GrpcMesh.LoadTest.Load;

/// <summary>What <see cref="CriticalityTally.CheckWindows"/> found: windows with calls, and the two kinds of priority inversion.</summary>
internal readonly record struct WindowCheck(int Windows, int CriticalRefusedWhileSheddableAdmitted, int CriticalFailedWhileSheddableAdmitted);
